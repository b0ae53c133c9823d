#include "vhsm/base/flags.h"

namespace vhsm {

Result<Args> ParseFlags(int argc, char** argv, const std::set<std::string>& value_options,
                        const std::set<std::string>& value_flags) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      size_t eq = name.find('=');
      bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (value_flags.count(name)) {
        if (inline_value) return InvalidArgument("--" + name + " takes no value");
        args.flags.insert(name);
      } else if (value_options.count(name)) {
        if (!inline_value) {
          if (i + 1 >= argc) return InvalidArgument("--" + name + " needs a value");
          value = argv[++i];
        }
        args.options[name] = value;
      } else {
        return InvalidArgument("unknown option --" + name + " (try --help)");
      }
    } else if (a == "-h") {
      args.flags.insert("help");
    } else {
      args.words.push_back(a);
    }
  }
  return args;
}

}  // namespace vhsm
