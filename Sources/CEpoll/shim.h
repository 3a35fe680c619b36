#ifndef THAW_CEPOLL_SHIM_H
#define THAW_CEPOLL_SHIM_H
// epoll and eventfd for HTTPServer's EventLoop: part of glibc, but not of Swift's Glibc module.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
