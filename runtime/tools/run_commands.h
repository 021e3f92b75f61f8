// The subcommands of adderq-run, one file each.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace adderq::tools {

struct EvalArgs {
  std::string model, data;
  size_t limit = 0;
  int batch_size = 100;
  int threads = 0;
  bool json = false, quiet = false;
};
void AddEvalCommand(CLI::App& app, EvalArgs& args);
Status RunEval(const EvalArgs& args);

struct InfoArgs {
  std::string model;
  bool json = false;
};
void AddInfoCommand(CLI::App& app, InfoArgs& args);
Status RunInfo(const InfoArgs& args);

}  // namespace adderq::tools
