// Shared between the BPF program and the addon: recipe layout, ops, sizes. Event ids are Falco's (the
// event table of @sysray/pcapng/scap).
#ifndef SYSRAY_PROBE_SHARED_H
#define SYSRAY_PROBE_SHARED_H

#define SYSRAY_RINGBUF_DEFAULT (8 * 1024 * 1024)
#define SYSRAY_MAX_SYSCALLS 512
#define SYSRAY_MAX_IGNORED 64
#define SYSRAY_MAX_PARAMS 8
#define SYSRAY_SCRATCH 24576
#define SYSRAY_PARAM_AREA 16384
#define SYSRAY_TMP 8192
#define SYSRAY_MAX_STR 4096
#define SYSRAY_NAME_MAX 256
#define SYSRAY_PATH_DEPTH 16
#define SYSRAY_MAX_IOV 32 /* iovecs read per readv/writev/sendmsg/recvmsg */
#define SYSRAY_MAX_MMSG 1024 /* messages of a sendmmsg/recvmmsg written as events (a power of 2) */
#define SYSRAY_BLOCK_PREFIX 10 /* block type + total length + cpu */
#define SYSRAY_EVENT_HEADER 26
#define SYSRAY_BLOCK_EV_V2 0x216

#define SYSRAY_NCOUNTERS 4
#define SYSRAY_CNT_EMITTED 0
#define SYSRAY_CNT_DROPPED 1
#define SYSRAY_CNT_OVERFLOW 2
#define SYSRAY_CNT_PENDING 3

#define SYSRAY_EV_EXECVE_X 293
#define SYSRAY_EV_EXECVEAT_X 331
#define SYSRAY_EV_PROCEXIT 186
#define SYSRAY_PROC_EXIT 1

enum sysray_special {
  SYSRAY_SPECIAL_NONE = 0,
  SYSRAY_SPECIAL_EXECVE = 1,
  SYSRAY_SPECIAL_EXECVEAT = 2,
  SYSRAY_SPECIAL_CLONE = 3,
  SYSRAY_SPECIAL_FORK = 4,
  SYSRAY_SPECIAL_VFORK = 5,
  SYSRAY_SPECIAL_CLONE3 = 6,
  SYSRAY_SPECIAL_SENDMSG = 7, /* res, data, fd, size, tuple (msg_name as the fallback remote address) */
  SYSRAY_SPECIAL_RECVMSG = 8, /* res, size, data, tuple, msgcontrol, fd */
  /* Fixed layouts of frequent calls, the same parameters as their recipe ops, written without the op dispatch: */
  SYSRAY_SPECIAL_RET_FD = 9,  /* res, fd (argument 0) */
  SYSRAY_SPECIAL_OPEN = 10,   /* open: res, name, flags, mode, dev, ino */
  SYSRAY_SPECIAL_OPENAT = 11, /* openat: res, dirfd, name, flags, mode, dev, ino */
  SYSRAY_SPECIAL_SENDMMSG = 12, /* an event per message sent: res, fd, size, data, tuple */
  SYSRAY_SPECIAL_RECVMMSG = 13, /* an event per message received: res, fd, size, data, tuple, msgcontrol */
};

enum sysray_op {
  SYSRAY_OP_EMPTY = 0,
  SYSRAY_OP_RET = 1,            /* return value, 8 bytes */
  SYSRAY_OP_ARG64 = 2,          /* argument a, 8 bytes */
  SYSRAY_OP_ARGFD = 3,          /* argument a as a 32-bit int sign-extended to 8 bytes */
  SYSRAY_OP_ARG32 = 4,
  SYSRAY_OP_ARG16 = 5,
  SYSRAY_OP_ARG8 = 6,
  SYSRAY_OP_USTR = 7,           /* NUL-terminated user string at argument a */
  SYSRAY_OP_OPENFLAGS = 8,      /* open flags of argument a, as PPM_O_* (+ O_F_CREATED) */
  SYSRAY_OP_OPENHOW_FLAGS = 9,  /* struct open_how at argument a */
  SYSRAY_OP_OPENHOW_MODE = 10,
  SYSRAY_OP_OPENHOW_RESOLVE = 11,
  SYSRAY_OP_CLONEFLAGS = 12,    /* clone flags of argument a, as PPM_CL_* */
  SYSRAY_OP_DEV = 13,           /* device of the file behind the returned fd */
  SYSRAY_OP_INO = 14,           /* inode of the file behind the returned fd */
  SYSRAY_OP_SOCKADDR = 15,      /* sockaddr at argument a, length argument b (0xff: none) */
  SYSRAY_OP_SOCKADDR_PTRLEN = 16, /* sockaddr at argument a, length *argument b */
  SYSRAY_OP_TUPLE_ARG = 17,     /* socket tuple of fd argument a; b & 1: inbound; b >> 4: 1 + the argument
                                   holding a sockaddr used as the remote end when the socket has none (UDP) */
  SYSRAY_OP_TUPLE_RET = 18,     /* socket tuple of the returned fd; b = 1 inbound */
  SYSRAY_OP_DATA = 19,          /* data at argument a: the bytes transferred (ret > 0), capped by the snaplen;
                                   b = SYSRAY_IOV_OUT | size argument: written data, kept up to the size argument
                                   when the call failed */
  SYSRAY_OP_PIPEFD = 20,        /* fd b of the int[2] at argument a */
  SYSRAY_OP_PIPEINO = 21,       /* inode of the pipe at argument a */
  SYSRAY_OP_CONST32 = 22,       /* constant a | b << 8, 4 bytes */
  SYSRAY_OP_UID_OF = 23,        /* argument a, 4 bytes */
  SYSRAY_OP_CONST8 = 24,        /* constant a, 1 byte */
  SYSRAY_OP_BACKLOG = 25,       /* listening socket of fd argument a: b = 0 queue %, 1 queue length, 2 queue max */
  SYSRAY_OP_CONST16 = 26,       /* constant a | b << 8, 2 bytes */
  SYSRAY_OP_FCNTL_CMD = 27,     /* fcntl command of argument a as PPM_FCNTL_*, 1 byte */
  SYSRAY_OP_PTRACE_REQ = 28,    /* ptrace request of argument a as PPM_PTRACE_*, 2 bytes */
  SYSRAY_OP_DYN64 = 29,         /* dynamic parameter: index 0 + argument a as 8 bytes */
  SYSRAY_OP_IOVLEN = 30,        /* total length of the iovec array at argument a, count argument b, 4 bytes */
  SYSRAY_OP_MSG_IOVLEN = 31,    /* total length of the iovecs of the msghdr at argument a, 4 bytes */
  SYSRAY_OP_IOV_DATA = 32,      /* data of the iovecs at argument a, count argument b & 7: see SYSRAY_IOV_OUT */
  SYSRAY_OP_RET_SIZE = 33,      /* bytes transferred: the return value when positive, else 0, 4 bytes */
  SYSRAY_OP_CREAT_LAYER = 34,   /* overlayfs layer of the returned fd as PPM_FD_*_LAYER_CREAT, 2 bytes */
  SYSRAY_OP_OPEN_MODE = 35,     /* mode argument b & 07777 when the flags argument a has O_CREAT or O_TMPFILE (a
                                   = 0xff: creat, always), else 0; 4 bytes */
};

/* SYSRAY_OP_IOV_DATA: b | SYSRAY_IOV_OUT for data written (writev): up to the snaplen, and at most the return
 * value when positive. Without it (readv): data only when the return value is positive, at most that many. */
#define SYSRAY_IOV_OUT 0x80

struct sysray_recipe {
  unsigned short type;    /* exit event id, 0 = not traced */
  unsigned char nparams;
  unsigned char special;
  unsigned char op[SYSRAY_MAX_PARAMS];
  unsigned char a[SYSRAY_MAX_PARAMS];
  unsigned char b[SYSRAY_MAX_PARAMS];
};

#endif
