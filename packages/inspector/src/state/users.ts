/** Users and groups, from the capture's user list blocks and user/group events (per container). */

/** A user. */
export interface UserInfo {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}

/** A group. */
export interface GroupInfo {
  gid: number;
  name: string;
}

/** Users and groups of the host (container id `''`) and of containers. */
export class UserTable {
  private readonly users = new Map<string, Map<number, UserInfo>>();
  private readonly groups = new Map<string, Map<number, GroupInfo>>();

  private bucket<T>(m: Map<string, Map<number, T>>, container: string): Map<number, T> {
    let b = m.get(container);
    if (!b) {
      b = new Map();
      m.set(container, b);
    }
    return b;
  }

  /** Adds a user of `container` (`''`: the host). */
  addUser(u: UserInfo, container = ''): void {
    this.bucket(this.users, container).set(u.uid, u);
  }

  /** Removes a user. */
  removeUser(uid: number, container = ''): void {
    this.users.get(container)?.delete(uid);
  }

  /** Adds a group. */
  addGroup(g: GroupInfo, container = ''): void {
    this.bucket(this.groups, container).set(g.gid, g);
  }

  /** Removes a group. */
  removeGroup(gid: number, container = ''): void {
    this.groups.get(container)?.delete(gid);
  }

  /** The user `uid` of `container`, falling back to the host's. */
  user(uid: number, container = ''): UserInfo | undefined {
    return (container ? this.users.get(container)?.get(uid) : undefined) ?? this.users.get('')?.get(uid);
  }

  /** The group `gid` of `container`, falling back to the host's. */
  group(gid: number, container = ''): GroupInfo | undefined {
    return (container ? this.groups.get(container)?.get(gid) : undefined) ?? this.groups.get('')?.get(gid);
  }
}
