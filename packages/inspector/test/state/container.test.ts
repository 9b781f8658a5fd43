import { describe, expect, it } from 'vitest';
import { ContainerTable, containerIdFromCgroups, parseContainerJson } from '../../src/index.js';

const ID = 'c010f5a08549441fb384b5e9ede5a4e4122381543d5213298164215f9a25736a';

describe('containerIdFromCgroups', () => {
  it('finds docker ids in cgroupfs and systemd layouts, as 12-character short ids', () => {
    expect(containerIdFromCgroups([`cpuset=/docker/${ID}`])).toEqual({
      id: ID.slice(0, 12),
      fullId: ID,
      runtime: 'docker',
    });
    expect(containerIdFromCgroups([`0::/system.slice/docker-${ID}.scope`])?.id).toBe(ID.slice(0, 12));
  });

  it('recognises containerd, cri-o, podman and kubepods layouts', () => {
    expect(containerIdFromCgroups([`cpu=/kubepods.slice/x/cri-containerd-${ID}.scope`])?.runtime).toBe(
      'containerd',
    );
    expect(containerIdFromCgroups([`cpu=/kubepods.slice/x/crio-${ID}.scope`])?.runtime).toBe('cri-o');
    expect(containerIdFromCgroups([`cpu=/machine.slice/libpod-${ID}.scope`])?.runtime).toBe('podman');
    expect(containerIdFromCgroups([`cpu=/kubepods/besteffort/pod1234/${ID}`])?.id).toBe(ID.slice(0, 12));
  });

  it('returns undefined for host cgroups', () => {
    expect(containerIdFromCgroups(['cpuset=/', 'cpu=/user.slice', '0::/init.scope'])).toBeUndefined();
    expect(containerIdFromCgroups([])).toBeUndefined();
  });
});

describe('parseContainerJson', () => {
  it('reads id, image, privileged, mounts and labels of a container event', () => {
    const c = parseContainerJson(
      JSON.stringify({
        container: {
          id: ID.slice(0, 12),
          full_id: ID,
          type: 0,
          name: 'web',
          image: 'nginx:1.25',
          imagerepo: 'nginx',
          imagetag: '1.25',
          privileged: true,
          created_time: 1700000000,
          Mounts: [
            {
              Source: '/var/run/docker.sock',
              Destination: '/var/run/docker.sock',
              Mode: '',
              RW: true,
              Propagation: 'rprivate',
            },
          ],
          labels: { 'io.kubernetes.pod.name': 'web-0' },
        },
      }),
    );
    expect(c).toMatchObject({
      id: ID.slice(0, 12),
      type: 'docker',
      name: 'web',
      imageRepo: 'nginx',
      privileged: true,
    });
    expect(c?.mounts[0]).toEqual({
      source: '/var/run/docker.sock',
      dest: '/var/run/docker.sock',
      mode: '',
      rdwr: true,
      propagation: 'rprivate',
    });
    expect(c?.labels['io.kubernetes.pod.name']).toBe('web-0');
    expect(c?.createdNs).toBe(1700000000n * 1_000_000_000n);
  });

  it('returns undefined for text that is not a container description', () => {
    expect(parseContainerJson('not json')).toBeUndefined();
    expect(parseContainerJson('{"x":1}')).toBeUndefined();
  });

  it('a container event wins over a cgroup-only entry in the table', () => {
    const t = new ContainerTable();
    const full = parseContainerJson(JSON.stringify({ container: { id: 'abc', name: 'n' } }))!;
    t.add(full);
    t.add({ ...full, name: '', fromEvent: false });
    expect(t.get('abc')?.name).toBe('n');
  });
});
