/*
 * udp_batch: many UDP datagrams to one destination in one system call (Linux only).
 *
 * Why: issue 10's target, uTP CPU per GB <= libtorrent's. Node's dgram makes one JavaScript call, one
 * SendWrap and one sendmsg() per datagram, ~750,000 per GB served. This addon sends the datagrams a
 * uTP flush produced for one peer at once:
 *   - with UDP GSO (Linux >= 4.18): one sendmsg() carrying UDP_SEGMENT; the kernel cuts the buffer into
 *     datagrams of `segment` bytes (the last may be shorter), so every datagram on the wire is
 *     exactly what sendmmsg() would have sent;
 *   - otherwise sendmmsg(): one message per datagram.
 * It writes to the file descriptor of the Node socket (a non-blocking UDP socket libuv owns). It never
 * blocks, never keeps a pointer after returning (the kernel copies the bytes during the call), and
 * allocates nothing but stack arrays bounded by MAX_BATCH.
 *
 * send(fd, family, address, port, datagrams, segment) -> number of datagrams sent (0..n), or -errno.
 *   fd: the socket's descriptor; family: 4 or 6; address: the destination as a literal;
 *   datagrams: an Array of Buffers (at most MAX_BATCH); segment: 0 for sendmmsg(), else the GSO size
 *   (then every datagram but the last must be exactly `segment` bytes, the last at most that, and the
 *   sum at most 65,507). The caller sends what was not sent through Node's own path.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <node_api.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

/* Datagrams per call at most (the kernel's UDP_MAX_SEGMENTS is 64 for GSO; sendmmsg takes up to 1,024). */
#define MAX_BATCH 64
#define MAX_UDP_PAYLOAD 65507

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static napi_value number(napi_env env, int v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

static napi_value batch_send(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 6) return fail(env, "send: 6 arguments");
  int32_t fd, family, port, segment;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return fail(env, "send: fd");
  if (napi_get_value_int32(env, argv[1], &family) != napi_ok || (family != 4 && family != 6)) return fail(env, "send: family");
  if (napi_get_value_int32(env, argv[3], &port) != napi_ok || port <= 0 || port > 65535) return fail(env, "send: port");
  if (napi_get_value_int32(env, argv[5], &segment) != napi_ok || segment < 0 || segment > MAX_UDP_PAYLOAD) return fail(env, "send: segment");

  char ip[64];
  size_t iplen = 0;
  if (napi_get_value_string_utf8(env, argv[2], ip, sizeof ip, &iplen) != napi_ok || iplen == 0 || iplen >= sizeof ip - 1) return fail(env, "send: address");
  struct sockaddr_storage to;
  socklen_t tolen;
  memset(&to, 0, sizeof to);
  if (family == 4) {
    struct sockaddr_in *a = (struct sockaddr_in *)&to;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ip, &a->sin_addr) != 1) return fail(env, "send: not an IPv4 literal");
    tolen = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&to;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1) return fail(env, "send: not an IPv6 literal");
    tolen = sizeof *a;
  }

  bool isArray = false;
  napi_is_array(env, argv[4], &isArray);
  if (!isArray) return fail(env, "send: datagrams must be an Array");
  uint32_t n = 0;
  napi_get_array_length(env, argv[4], &n);
  if (n == 0) return number(env, 0);
  if (n > MAX_BATCH) return fail(env, "send: too many datagrams");

  struct iovec iov[MAX_BATCH];
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value b;
    void *data = NULL;
    size_t len = 0;
    bool isBuffer = false;
    if (napi_get_element(env, argv[4], i, &b) != napi_ok) return NULL;
    napi_is_buffer(env, b, &isBuffer);
    if (!isBuffer || napi_get_buffer_info(env, b, &data, &len) != napi_ok) return fail(env, "send: datagrams must be Buffers");
    if (len > MAX_UDP_PAYLOAD) return fail(env, "send: datagram too large");
    if (segment > 0 && (len > (size_t)segment || (i + 1 < n && len != (size_t)segment))) return fail(env, "send: GSO datagrams must be segment bytes (the last at most)");
    iov[i].iov_base = data;
    iov[i].iov_len = len;
    total += len;
  }

  if (segment > 0) {
    if (total > MAX_UDP_PAYLOAD) return fail(env, "send: GSO batch over 65,507 bytes");
    char control[CMSG_SPACE(sizeof(uint16_t))];
    memset(control, 0, sizeof control);
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &to;
    m.msg_namelen = tolen;
    m.msg_iov = iov;
    m.msg_iovlen = n;
    if (n > 1) {
      m.msg_control = control;
      m.msg_controllen = sizeof control;
      struct cmsghdr *c = CMSG_FIRSTHDR(&m);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t seg = (uint16_t)segment;
      memcpy(CMSG_DATA(c), &seg, sizeof seg);
    }
    ssize_t r;
    do r = sendmsg(fd, &m, 0); while (r < 0 && errno == EINTR);
    return number(env, r < 0 ? -errno : (int)n);
  }

  struct mmsghdr mm[MAX_BATCH];
  memset(mm, 0, sizeof(struct mmsghdr) * n);
  for (uint32_t i = 0; i < n; i++) {
    mm[i].msg_hdr.msg_name = &to;
    mm[i].msg_hdr.msg_namelen = tolen;
    mm[i].msg_hdr.msg_iov = &iov[i];
    mm[i].msg_hdr.msg_iovlen = 1;
  }
  int r;
  do r = sendmmsg(fd, mm, n, 0); while (r < 0 && errno == EINTR);
  return number(env, r < 0 ? -errno : r);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, batch_send, NULL, &fn);
  napi_set_named_property(env, exports, "send", fn);
  napi_value max;
  napi_create_int32(env, MAX_BATCH, &max);
  napi_set_named_property(env, exports, "maxBatch", max);
  return exports;
}
