// The kernel-side cost of tracing, without scheduling noise: one thread plays both ends of a
// loopback TCP connection and exchanges HTTP/1.1 requests and responses with itself (send,
// recv, send, recv per exchange), so every exchange crosses four traced syscalls and makes one
// CLIENT and one SERVER span. Also times reads of /dev/zero and writes to /dev/null, syscalls
// the tracer hooks but must ignore (files, not sockets), and getppid(2), a syscall it does not
// hook at all. Prints ns per exchange, per file read, per file write and per other syscall; run
// it pinned to one CPU (taskset) with the tracer elsewhere, untraced and traced, and compare.
//
//   http_pingpong [exchanges] [file_reads]   (as many file writes and getppid calls)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "http_pingpong: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), 0);
    if (n <= 0) Fail("send");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void ReceiveExactly(int fd, char* buf, size_t size) {
  size_t got = 0;
  while (got < size) {
    ssize_t n = recv(fd, buf + got, size - got, 0);
    if (n <= 0) Fail("recv");
    got += static_cast<size_t>(n);
  }
}

double NanosPer(std::chrono::steady_clock::duration d, long count) {
  return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(count);
}

}  // namespace

int main(int argc, char** argv) {
  long exchanges = argc > 1 ? std::atol(argv[1]) : 200000;
  long file_reads = argc > 2 ? std::atol(argv[2]) : 1000000;
  if (exchanges <= 0 || file_reads <= 0) {
    std::fprintf(stderr, "usage: http_pingpong [exchanges] [file_reads] (positive)\n");
    return 2;
  }

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listener, 1) != 0 || getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    Fail("listen");
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0 || connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    Fail("connect");
  int server = accept(listener, nullptr, nullptr);
  if (server < 0) Fail("accept");
  int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

  constexpr std::string_view kRequest =
      "GET /pingpong HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: http_pingpong\r\n"
      "Accept: */*\r\n\r\n";
  constexpr std::string_view kResponse =
      "HTTP/1.1 200 OK\r\nServer: http_pingpong\r\nContent-Type: text/plain\r\n"
      "Content-Length: 2\r\n\r\nok";
  char buf[512];

  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < exchanges; i++) {
    SendAll(client, kRequest);
    ReceiveExactly(server, buf, kRequest.size());
    SendAll(server, kResponse);
    ReceiveExactly(client, buf, kResponse.size());
  }
  auto exchanged = std::chrono::steady_clock::now();

  int zero = open("/dev/zero", O_RDONLY);
  if (zero < 0) Fail("open /dev/zero");
  for (long i = 0; i < file_reads; i++)
    if (read(zero, buf, 64) != 64) Fail("read /dev/zero");
  auto read_done = std::chrono::steady_clock::now();
  int null = open("/dev/null", O_WRONLY);
  if (null < 0) Fail("open /dev/null");
  for (long i = 0; i < file_reads; i++)
    if (write(null, buf, 64) != 64) Fail("write /dev/null");
  auto write_done = std::chrono::steady_clock::now();
  for (long i = 0; i < file_reads; i++) syscall(SYS_getppid);  // not through glibc's wrapper
  auto other_done = std::chrono::steady_clock::now();

  std::printf("exchange_ns %.1f\nfile_read_ns %.1f\nfile_write_ns %.1f\nother_syscall_ns %.1f\n",
              NanosPer(exchanged - start, exchanges), NanosPer(read_done - exchanged, file_reads),
              NanosPer(write_done - read_done, file_reads),
              NanosPer(other_done - write_done, file_reads));
  close(null);
  close(zero);
  close(client);
  close(server);
  close(listener);
  return 0;
}
