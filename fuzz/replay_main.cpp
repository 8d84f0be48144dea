// The fuzz targets without libFuzzer: `fuzz_replay TARGET PATH...` runs TARGET's entry function
// (the same LLVMFuzzerTestOneInput, renamed) over every file of each PATH (a file or a folder,
// read recursively, sorted). A crash is what it is under libFuzzer: the target aborts (or a
// sanitizer stops it in the asan preset). Exit 0 after every file ran, 1 for an unknown target or
// a folder without any file (a seed corpus that went missing must not pass silently); a missing
// regressions folder is fine (no crash found yet).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/replay_table.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_replay TARGET [FILE|FOLDER]...\n";
    return 1;
  }
  const std::string name = argv[1];
  const auto& targets = kit::fuzz::replay_targets();
  const auto target =
      std::find_if(targets.begin(), targets.end(),
                   [&](const kit::fuzz::ReplayTarget& t) { return t.name == name; });
  if (target == targets.end()) {
    std::cerr << "fuzz_replay: no target '" << name << "'\n";
    return 1;
  }
  std::size_t total = 0;
  for (int i = 2; i < argc; ++i) {
    const std::filesystem::path path = argv[i];
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(path)) {
        if (e.is_regular_file() && e.path().filename().string().front() != '.') {
          files.push_back(e.path());
        }
      }
      // The seed corpus (the first folder) must not be empty; regressions may be.
      if (files.empty() && i == 2) {
        std::cerr << "fuzz_replay: no file in " << path << "\n";
        return 1;
      }
    } else if (std::filesystem::is_regular_file(path)) {
      files.push_back(path);
    } else if (i == 2) {
      std::cerr << "fuzz_replay: no such file or folder " << path << "\n";
      return 1;
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      const std::string data((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      std::cout << "fuzz_replay " << name << ": " << f.string() << " (" << data.size() << " bytes)"
                << std::endl;
      target->run(reinterpret_cast<const unsigned char*>(data.data()), data.size());
      ++total;
    }
  }
  std::cout << "fuzz_replay " << name << ": " << total << " inputs ran without a crash\n";
  return 0;
}
