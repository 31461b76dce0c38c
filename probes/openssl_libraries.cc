#include "probes/openssl_libraries.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "probes/process_ids.h"

namespace zerotrace::probes {
namespace {

// Where Debian and most distributions keep libssl.
constexpr const char* kLibraryDirs[] = {
    "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64",
    "/lib", "/usr/local/lib",
};
constexpr const char* kLibsslNames[] = {"libssl.so.3", "libssl.so.1.1"};

bool IsLibssl(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
  return name.rfind("libssl.so", 0) == 0;
}

class UniqueFiles {
 public:
  // Adds path unless a file with the same device and inode is already in.
  bool Add(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    return seen_.insert({st.st_dev, st.st_ino}).second;
  }

 private:
  std::set<std::pair<dev_t, ino_t>> seen_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::vector<std::string> LibsslPathsInMaps(const std::string& maps_text) {
  std::vector<std::string> paths;
  std::istringstream lines(maps_text);
  std::string line;
  while (std::getline(lines, line)) {
    // address perms offset dev inode pathname: the path is the sixth field
    // and may contain spaces, so take everything from the first '/'.
    const size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.ends_with(" (deleted)")) continue;
    if (IsLibssl(path) && (paths.empty() || paths.back() != path)) paths.push_back(path);
  }
  return paths;
}

bool ExportsSslWrite(const std::string& path) {
  if (elf_version(EV_CURRENT) == EV_NONE) return false;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool found = false;
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
    Elf_Scn* section = nullptr;
    while (!found && (section = elf_nextscn(elf, section)) != nullptr) {
      GElf_Shdr header;
      if (!gelf_getshdr(section, &header) || header.sh_type != SHT_DYNSYM) continue;
      Elf_Data* data = elf_getdata(section, nullptr);
      const size_t count = header.sh_entsize ? header.sh_size / header.sh_entsize : 0;
      for (size_t i = 0; data && i < count; ++i) {
        GElf_Sym symbol;
        if (!gelf_getsym(data, static_cast<int>(i), &symbol)) break;
        if (symbol.st_shndx == SHN_UNDEF || GELF_ST_TYPE(symbol.st_info) != STT_FUNC) continue;
        const char* name = elf_strptr(elf, header.sh_link, symbol.st_name);
        if (name && std::strcmp(name, "SSL_write") == 0) found = true;
      }
    }
    elf_end(elf);
  }
  close(fd);
  return found;
}

namespace {

// Appends pid's OpenSSL files not yet in `unique`; `executables_checked`
// saves reading the same executable's symbols twice.
void AddTargetsOfProcess(const std::string& base, UniqueFiles& unique,
                         std::set<std::string>& executables_checked,
                         std::vector<OpenSslTarget>& targets) {
  const std::string root = base + "/root";
  for (const std::string& path : LibsslPathsInMaps(ReadAll(base + "/maps"))) {
    if (unique.Add(root + path)) targets.push_back({root + path, true});
  }
  char exe[4096];
  const ssize_t n = readlink((base + "/exe").c_str(), exe, sizeof(exe) - 1);
  if (n <= 0) return;
  exe[n] = '\0';
  const std::string exe_name = exe;
  if (exe_name.ends_with(" (deleted)") || !executables_checked.insert(exe_name).second) return;
  const std::string exe_path = root + exe_name;
  if (ExportsSslWrite(exe_path) && unique.Add(exe_path)) targets.push_back({exe_path, false});
}

}  // namespace

std::vector<OpenSslTarget> FindOpenSslTargets(const std::string& proc_root) {
  std::vector<OpenSslTarget> targets;
  UniqueFiles unique;
  for (const char* dir : kLibraryDirs) {
    for (const char* name : kLibsslNames) {
      const std::string path = std::string(dir) + "/" + name;
      if (unique.Add(path)) targets.push_back({path, true});
    }
  }
  // Running processes: libraries they mapped (also dlopen'ed and bundled
  // copies), and executables with OpenSSL inside.
  std::set<std::string> executables_checked;
  for (uint32_t pid : RunningProcessIds(proc_root))
    AddTargetsOfProcess(proc_root + "/" + std::to_string(pid), unique, executables_checked,
                        targets);
  return targets;
}

std::vector<OpenSslTarget> OpenSslTargetsOfProcess(uint32_t pid, const std::string& proc_root) {
  std::vector<OpenSslTarget> targets;
  UniqueFiles unique;
  std::set<std::string> executables_checked;
  AddTargetsOfProcess(proc_root + "/" + std::to_string(pid), unique, executables_checked,
                      targets);
  return targets;
}

}  // namespace zerotrace::probes
