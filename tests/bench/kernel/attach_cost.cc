// Loads one variant of attach_cost.bpf.o (the programs whose names start with the variant's
// prefix), attaches it, prints "attached" and waits for SIGINT or SIGTERM. It then prints how
// many times the programs saw a wanted syscall, so a variant that silently saw nothing shows.
//
//   attach_cost OBJECT VARIANT      VARIANT: tp exitonly rawtp tpbtf lru hash task
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Fail(const std::string& what) {
  std::fprintf(stderr, "attach_cost: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return Fail("usage: attach_cost OBJECT VARIANT");
  std::string prefix = std::string(argv[2]) + "_";
  bpf_object* obj = bpf_object__open_file(argv[1], nullptr);
  if (!obj) return Fail(std::string("cannot open ") + argv[1] + ": " + std::strerror(errno));
  int chosen = 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    bool take = std::string(bpf_program__name(prog)).starts_with(prefix);
    bpf_program__set_autoload(prog, take);
    chosen += take;
  }
  if (chosen == 0) return Fail("no programs named " + prefix + "*");
  if (int err = bpf_object__load(obj)) return Fail("load failed: " + std::string(std::strerror(-err)));
  std::vector<bpf_link*> links;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__autoload(prog)) continue;
    bpf_link* link = bpf_program__attach(prog);
    if (!link) return Fail(std::string("attach failed: ") + bpf_program__name(prog));
    links.push_back(link);
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("attached %d programs\n", chosen);
  std::fflush(stdout);
  while (!g_stop) pause();

  int hits_fd = bpf_object__find_map_fd_by_name(obj, "hits");
  int ncpu = libbpf_num_possible_cpus();
  std::vector<unsigned long long> per_cpu(ncpu > 0 ? ncpu : 1);
  unsigned key = 0;
  unsigned long long total = 0;
  if (bpf_map_lookup_elem(hits_fd, &key, per_cpu.data()) == 0)
    for (auto v : per_cpu) total += v;
  std::printf("hits %llu\n", total);
  for (auto* link : links) bpf_link__destroy(link);
  bpf_object__close(obj);
  return 0;
}
