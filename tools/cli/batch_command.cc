#include "tools/cli/batch_command.h"

namespace vhsm::cli {

const char kBatchUsage[] =
    "  batch [FILE]                           one command per line (the words above,\n"
    "                                         data with --in FILE) after one login;\n"
    "                                         answers one line each, \"error: line N:\n"
    "                                         ...\" for a failed one; binary answers\n"
    "                                         (encrypt, decrypt) as hex unless --out\n";

bool SplitWords(const std::string& line, std::vector<std::string>* words) {
  words->clear();
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (in_word) words->push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return false;
  if (in_word) words->push_back(word);
  return true;
}

int RunBatch(const char* prog, std::FILE* in, const std::set<std::string>& options,
             const std::set<std::string>& flags, const std::function<void(const Args&)>& run) {
  int failed = 0;
  size_t number = 0;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  SetBatchMode(true);
  while ((n = getline(&buf, &cap, in)) >= 0) {
    ++number;
    std::string line(buf, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::vector<std::string> words;
    try {
      if (!SplitWords(line, &words)) Die(prog, "unterminated quote");
      if (words.empty() || words[0][0] == '#') continue;
      std::vector<char*> argv = {const_cast<char*>(prog)};
      for (std::string& w : words) argv.push_back(w.data());
      auto parsed = Parse(static_cast<int>(argv.size()), argv.data(), options, flags);
      if (!parsed.ok()) Die(prog, parsed.status().message());
      run(*parsed);
    } catch (const LineFailed& e) {
      ++failed;
      std::printf("error: line %zu: %s\n", number, e.message.c_str());
    }
    std::fflush(stdout);
  }
  SetBatchMode(false);
  free(buf);
  return failed;
}

}  // namespace vhsm::cli
