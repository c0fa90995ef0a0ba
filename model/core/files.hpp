#pragma once
// What kind of file a stat() result describes, for messages that refuse anything but a
// regular file (configs read, results written or read back).
#include <sys/stat.h>

namespace hscsim {

inline const char* file_kind(mode_t m) {
  if (S_ISREG(m)) return "a regular file";
  if (S_ISDIR(m)) return "a folder";
  if (S_ISFIFO(m)) return "a named pipe (FIFO)";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

}  // namespace hscsim
