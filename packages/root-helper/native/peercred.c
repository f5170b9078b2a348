// The one native call the root helper needs: the kernel's SO_PEERCRED answer for a connected Unix socket.
// Node has no API for it (libuv/libuv#2255). Reviewed surface: one exported function, no state, no allocation.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <node_api.h>

// peercred(fd) -> { pid, uid, gid } of the process that connected the socket (as the kernel recorded it at
// connect time). Throws when fd is not a number or getsockopt fails (not a connected AF_UNIX stream socket).
static napi_value peercred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_int32(env, arg, &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "peercred(fd): fd must be a number");
    return NULL;
  }
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
    napi_throw_error(env, NULL, "getsockopt(SO_PEERCRED) failed");
    return NULL;
  }
  napi_value out, pid, uid, gid;
  if (napi_create_object(env, &out) != napi_ok || napi_create_int32(env, cred.pid, &pid) != napi_ok ||
      napi_create_uint32(env, cred.uid, &uid) != napi_ok ||
      napi_create_uint32(env, cred.gid, &gid) != napi_ok ||
      napi_set_named_property(env, out, "pid", pid) != napi_ok ||
      napi_set_named_property(env, out, "uid", uid) != napi_ok ||
      napi_set_named_property(env, out, "gid", gid) != napi_ok) {
    napi_throw_error(env, NULL, "peercred: cannot build the result");
    return NULL;
  }
  return out;
}

// module.exports = { peercred }
NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "peercred", NAPI_AUTO_LENGTH, peercred, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "peercred", fn) != napi_ok)
    return NULL;
  return exports;
}
