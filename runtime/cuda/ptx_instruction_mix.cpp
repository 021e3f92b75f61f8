#include "cuda/ptx_instruction_mix.h"

#include <algorithm>
#include <map>
#include <optional>

namespace adderq::cuda {
namespace {

struct Statement {
  std::string opcode;  // "ld.shared.v4.u32"
  std::string target;  // a branch's label
};

std::string_view Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r{}");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r{}");
  return s.substr(b, e - b + 1);
}

std::string_view FirstToken(std::string_view s) { return s.substr(0, s.find_first_of(" \t")); }

// Opcode and branch target of one instruction's text (without the ';'); a guard (@%p1) is skipped.
Statement ParseInstruction(std::string_view text) {
  if (text.front() == '@') text = Trim(text.substr(std::min(text.size(), text.find_first_of(" \t"))));
  Statement s{std::string(FirstToken(text)), {}};
  if (s.opcode.rfind("bra", 0) == 0) {
    const size_t last = text.find_last_of(" \t");
    if (last != std::string_view::npos) s.target = std::string(Trim(text.substr(last + 1)));
  }
  return s;
}

bool HasModifier(std::string_view opcode, std::string_view m) {
  for (size_t at = opcode.find(m); at != std::string_view::npos; at = opcode.find(m, at + 1)) {
    const size_t end = at + m.size();
    if (end == opcode.size() || opcode[end] == '.') return true;
  }
  return false;
}

// Bytes one load moves per thread: the vector width times the element type's size.
int LoadBytes(std::string_view opcode) {
  int lanes = HasModifier(opcode, ".v4") ? 4 : HasModifier(opcode, ".v2") ? 2 : HasModifier(opcode, ".v8") ? 8 : 1;
  int size = 4;
  for (auto [m, bytes] : {std::pair{".u8", 1}, {".s8", 1}, {".b8", 1}, {".u16", 2}, {".s16", 2}, {".b16", 2},
                          {".f16", 2}, {".u64", 8}, {".s64", 8}, {".b64", 8}, {".f64", 8}})
    if (HasModifier(opcode, m)) size = bytes;
  if (opcode.rfind("ldmatrix", 0) == 0) {  // .x1/.x2/.x4 8x8 b16 matrices, spread over the warp
    lanes = HasModifier(opcode, ".x4") ? 4 : HasModifier(opcode, ".x2") ? 2 : 1;
    size = 4;
  }
  return lanes * size;
}

void Count(PtxRegionMix& mix, const Statement& s, std::map<std::string, int>& opcodes) {
  ++mix.instructions;
  ++opcodes[s.opcode];
  const std::string_view op = s.opcode;
  const std::string_view family = op.substr(0, op.find('.'));
  if (family == "vabsdiff4" || family == "mma") {
    ++mix.adder;
  } else if (family == "ld" || family == "ldu" || family == "ldmatrix") {
    if (HasModifier(op, ".local")) {
      ++mix.local_accesses;
    } else if (HasModifier(op, ".shared") || family == "ldmatrix") {
      ++mix.shared_loads;
      mix.shared_load_bytes += LoadBytes(op);
    } else if (HasModifier(op, ".global")) {
      ++mix.global_loads;
      mix.global_load_bytes += LoadBytes(op);
    } else {
      ++mix.other;  // .param, .const
    }
  } else if (family == "st") {
    if (HasModifier(op, ".local")) ++mix.local_accesses;
    else ++mix.stores;
  } else if (family == "bra" || family == "setp" || family == "bar" || family == "barrier" || family == "ret" ||
             family == "exit") {
    ++mix.control;
  } else {
    ++mix.other;
  }
}

PtxRegionMix CountRange(const std::vector<Statement>& statements, size_t first, size_t last) {
  PtxRegionMix mix;
  std::map<std::string, int> opcodes;
  for (size_t i = first; i <= last && i < statements.size(); ++i) Count(mix, statements[i], opcodes);
  for (const auto& [opcode, n] : opcodes) mix.opcodes.push_back({opcode, n});
  std::stable_sort(mix.opcodes.begin(), mix.opcodes.end(),
                   [](const OpcodeCount& a, const OpcodeCount& b) { return a.count > b.count; });
  return mix;
}

}  // namespace

Result<PtxInstructionMix> CountPtxInstructions(std::string_view ptx) {
  std::vector<Statement> statements;
  std::map<std::string, size_t, std::less<>> labels;  // label -> index of the statement after it
  int entries = 0;
  std::string pending;  // text of a statement that continues on the next line
  for (size_t at = 0; at <= ptx.size();) {
    size_t end = ptx.find('\n', at);
    if (end == std::string_view::npos) end = ptx.size();
    std::string_view line = ptx.substr(at, end - at);
    at = end + 1;
    line = line.substr(0, line.find("//"));
    for (size_t t = line.find(".entry"); t != std::string_view::npos; t = line.find(".entry", t + 1))
      if (t + 6 == line.size() || line[t + 6] == ' ' || line[t + 6] == '\t') ++entries;
    line = Trim(line);
    if (line.empty() && !pending.empty() && Trim(pending).front() == '.') {
      pending.clear();  // a line of braces ends an entry's header, which has no ';'
      continue;
    }
    if (pending.empty() && !line.empty() && line.find(' ') == std::string_view::npos && line.back() == ':') {
      labels.emplace(std::string(line.substr(0, line.size() - 1)), statements.size());
      continue;
    }
    // Statements end with ';' (one line may hold several, one may span lines).
    while (!line.empty()) {
      const size_t semicolon = line.find(';');
      pending.append(line.substr(0, semicolon)).push_back(' ');
      if (semicolon == std::string_view::npos) break;
      line = Trim(line.substr(semicolon + 1));
      const std::string_view text = Trim(pending);
      if (!text.empty() && text.front() != '.') statements.push_back(ParseInstruction(text));  // not a directive
      pending.clear();
    }
  }
  if (entries != 1) return InvalidArgument("the PTX defines {} entry functions, expected 1", entries);
  if (statements.empty()) return InvalidArgument("the PTX has no instructions");

  PtxInstructionMix mix;
  mix.kernel = CountRange(statements, 0, statements.size() - 1);
  // Loops: a branch back to a label at or before it.
  std::optional<std::pair<size_t, size_t>> best;
  int best_adder = 0;
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto label = labels.find(statements[i].target);
    if (statements[i].target.empty() || label == labels.end() || label->second > i) continue;
    const size_t first = label->second;
    const int adder = CountRange(statements, first, i).adder;
    const bool smaller = best && i - first < best->second - best->first;
    if (adder > best_adder || (adder == best_adder && adder > 0 && smaller)) {
      best = {first, i};
      best_adder = adder;
    }
  }
  mix.hot_is_loop = best.has_value();
  mix.hot = best ? CountRange(statements, best->first, best->second) : mix.kernel;
  return mix;
}

}  // namespace adderq::cuda
