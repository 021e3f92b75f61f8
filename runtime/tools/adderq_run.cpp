// adderq-run: evaluate or inspect an .adq artifact. This file is the whole command line: every
// subcommand's options, then the dispatch to its Run function (tools/run_commands.h). CLI11 2.1 is
// header-only and costs about 8 s of compile time per file that includes it (40 s under the
// sanitizers), so only this file does.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "core/version.h"
#include "cuda/cuda_plan.h"
#include "tools/run_commands.h"

namespace adderq::tools {
namespace {

// --device and --threads, the same for every subcommand that runs a model.
void AddDeviceOptions(CLI::App* cmd, std::string& device, int& threads) {
  cmd->add_option("--device", device, "auto (CUDA if a GPU is usable, else CPU), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cmd->add_option("--threads", threads, "CPU worker threads (0 = all cores)")->check(CLI::Range(0, 1024));
}

// --cuda-adder, --cuda-tc-tiles, --cuda-simd-pixels, --cuda-fuse-codes, --cuda-graphs and --cuda-tuning, for the
// subcommands that compare kernels (eval, bench) or compile them (jit).
void AddCudaKernelOptions(CLI::App* cmd, CudaKernelChoice& cuda) {
  cmd->add_option("--cuda-adder", cuda.adder,
                  "quantized adder kernel on CUDA: simd (packed vabsdiff4, every GPU), tensor-core (binary "
                  "tensor cores for <= 4 bits on sm_80+; experimental, not yet run on a GPU) or auto (simd "
                  "for now); all compute identical results")
      ->check(CLI::IsMember({"auto", "simd", "tensor-core"}));
  cmd->add_option("--cuda-tc-tiles", cuda.tc_tiles,
                  "tuning: N,M = at most N x 8 output channels and M x 16 pixels per warp of the tensor-core kernel")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--cuda-simd-pixels", cuda.simd_pixels,
                  "tuning: output pixels per thread of the packed-SIMD adder kernel (register blocking; default "
                  "1, the form measured on a GPU; all compute identical results)")
      ->check(CLI::Range(1, cuda::kMaxSimdPixels));
  cmd->add_option("--cuda-fuse-codes", cuda.fuse_codes,
                  "on: a packed-SIMD adder layer writes the next adder layer's activation codes from its epilogue "
                  "(no quantize kernel, no float output nothing else reads; experimental, not yet run on a GPU); "
                  "off; auto (off for now); all compute identical results")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option("--cuda-graphs", cuda.graphs,
                  "on: each chunk's kernels are captured once into a CUDA graph and replayed with one launch "
                  "(experimental, not yet run on a GPU); off; auto (off for now); all compute identical results")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_option("--cuda-tuning", cuda.tuning_file,
                  "per-layer kernels from FILE, written by `adderq-run tune` on this kind of GPU (--cuda-adder, "
                  "--cuda-simd-pixels and --cuda-tc-tiles apply to the layers it leaves out); all compute identical results")
      ->check(CLI::ExistingFile);
}

// --cuda-chunk: images per CUDA pipeline step, or auto (stored as 0: chosen for the card from its
// multiprocessors, the kernels' occupancy and free memory). `default_text` says what unset means.
void AddCudaChunkOption(CLI::App* cmd, int& chunk, const std::string& default_text) {
  cmd->add_option("--cuda-chunk", chunk,
                  "images per CUDA pipeline step (two steps in flight, so copies overlap kernels), or auto: the "
                  "fewest that give every adder kernel 4 full waves on the card, within half its free memory "
                  "(default: " + default_text + ")")
      ->transform(CLI::Validator(
          [](std::string& value) -> std::string {
            if (value == "auto") {
              value = "0";
              return "";
            }
            const auto n = value.find_first_not_of("0123456789") == std::string::npos && !value.empty() && value.size() < 7
                               ? std::stoi(value)
                               : -1;
            return n >= 1 && n <= 65536 ? "" : "'" + value + "' is neither auto nor a number of images in 1..65536";
          },
          "auto|1..65536"));
}

void AddEvalCommand(CLI::App& app, EvalArgs& a) {
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model on the CIFAR-10 test set (test_batch.bin).\n"
                                             "Example: adderq-run eval model.adq --limit 1000 --json");
  cmd->add_option("model", a.model, "artifact (.adq)")->required();
  cmd->add_option("--data", a.data, "test images: a CIFAR-10 binary directory (test_batch.bin) or an ImageFolder directory (one sub-directory\nof JPEG/PNG files per class, sorted names = labels) (default: $ADDERQ_DATA, then ../shared/data/cifar-10-batches-bin)");
  cmd->add_option("--limit", a.limit, "evaluate only the first N test images (0 = all)");
  cmd->add_option("--batch-size", a.batch_size, "images per batch (0 = 100 on the CPU, 10000 on a GPU)")
      ->check(CLI::Range(0, 65536));
  AddDeviceOptions(cmd, a.device, a.threads);
  AddCudaKernelOptions(cmd, a.cuda);
  AddCudaChunkOption(cmd, a.cuda_chunk, "auto");
  cmd->add_option("--save-logits", a.save_logits, "write all logits (float32, image-major) to this file");
  cmd->add_flag("--json", a.json, "print one JSON object");
  cmd->add_flag("--quiet,-q", a.quiet, "no progress bar");
}

void AddInfoCommand(CLI::App& app, InfoArgs& a) {
  CLI::App* cmd = app.add_subcommand("info", "Show an artifact's metadata and layers.\nExample: adderq-run info model.adq");
  cmd->add_option("model", a.model, "artifact (.adq)")->required();
  cmd->add_flag("--json", a.json, "print one JSON object");
}

void AddJitCommand(CLI::App& app, JitArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "jit", "Compile a model's CUDA kernels into the kernel cache ahead of time (no GPU needed).\n"
             "Example: adderq-run jit model.adq --arch sm_90 --arch sm_80 --cache-dir ./kernels");
  cmd->add_option("model", a.model, "artifact (.adq)")->required();
  cmd->add_option("--arch", a.archs, "target GPU architecture, e.g. sm_90 (repeatable)")->required();
  cmd->add_option("--cache-dir", a.cache_dir,
                  "kernel cache (default: $ADDERQ_CACHE_DIR, else $XDG_CACHE_HOME/adderq, else ~/.cache/adderq)");
  cmd->add_option("--dump-source", a.dump_dir, "also write each variant's CUDA source to DIR/<name>.cu (for nvcc/ptxas analysis)");
  AddCudaKernelOptions(cmd, a.cuda);
  cmd->add_flag("--resources", a.resources,
                "also report what ptxas allocated for each variant: registers, spills, stack and shared memory");
  cmd->add_flag("--instruction-mix", a.instruction_mix,
                "also count each variant's PTX instructions in its hot loop (per iteration, per thread): adder\n"
                "instructions (vabsdiff4, mma), shared and global loads with their bytes, stores, control, other");
  cmd->add_flag("--json", a.json, "print one JSON object");
}

void AddBenchCommand(CLI::App& app, BenchArgs& a) {
  CLI::App* cmd = app.add_subcommand("bench", "Measure images/s end to end and per-layer GPU time and adder Gop/s.\n"
                                              "Example: adderq-run bench model.adq --device cuda --images 10000 --json");
  cmd->add_option("model", a.model, "artifact (.adq)")->required();
  cmd->add_option("--data", a.data, "CIFAR-10 binary directory (default: $ADDERQ_DATA, then ../shared/...)");
  cmd->add_option("--images", a.images, "test images per run")->check(CLI::Range(1, 10000));
  cmd->add_option("--repeat", a.repeat, "timed runs after one warm-up (the best is reported)")->check(CLI::Range(1, 100));
  AddDeviceOptions(cmd, a.device, a.threads);
  AddCudaKernelOptions(cmd, a.cuda);
  AddCudaChunkOption(cmd, a.cuda_chunk, "the whole run is one chunk");
  cmd->add_option("--input", a.input,
                  "what the timed runs give the backend: pixels (the test set's bytes, normalised by the backend,\n"
                  "as eval does; on a GPU after the copy) or floats (normalised beforehand, outside the timing)")
      ->check(CLI::IsMember({"pixels", "floats"}))
      ->capture_default_str();
  cmd->add_flag("--json", a.json, "print one JSON object");
  cmd->add_flag("--quiet,-q", a.quiet, "no notices on stderr");
}

void AddInferCommand(CLI::App& app, InferArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "infer",
      "Classify PNG or PPM/PGM images. An image of another size than the model's input (32x32 for CIFAR\n"
      "models) is centre-cropped to the input's aspect ratio and resampled (antialiased bilinear).\n"
      "Example: adderq-run infer model.adq cat.png dog.ppm --top-k 3");
  cmd->add_option("model", a.model, "artifact (.adq)")->required();
  cmd->add_option("images", a.images, "image files (PNG, PPM/PGM)")->required();
  cmd->add_option("--top-k,-k", a.top_k, "classes to show per image")->check(CLI::Range(1, 1000));
  AddDeviceOptions(cmd, a.device, a.threads);
  cmd->add_flag("--json", a.json, "print one JSON object");
  cmd->add_flag("--quiet,-q", a.quiet, "no notices on stderr");
}

void AddTuneCommand(CLI::App& app, TuneArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "tune", "Time each adder layer's CUDA kernels on this GPU and write the fastest per layer (needs a GPU).\n"
              "Example: adderq-run tune model.adq -o h200.tuning.json && adderq-run eval model.adq --cuda-tuning h200.tuning.json");
  cmd->add_option("model", a.model, "artifact (.adq)")->required();
  cmd->add_option("-o,--output", a.output, "the tuning file to write (JSON)")->required();
  cmd->add_option("--data", a.data, "CIFAR-10 binary directory (default: $ADDERQ_DATA, then ../shared/...)");
  cmd->add_option("--images", a.images, "test images per timed pass (one chunk)")->check(CLI::Range(1, 10000));
  cmd->add_option("--repeat", a.repeat, "timed passes per kernel choice (each layer's best is kept)")->check(CLI::Range(1, 100));
  cmd->add_flag("--quick", a.quick, "only the default tensor-core tiles (4 kernels per layer instead of 10)");
  cmd->add_flag("--json", a.json, "print the tuning as one JSON object");
  cmd->add_flag("--quiet,-q", a.quiet, "no progress on stderr");
}

}  // namespace
}  // namespace adderq::tools

int main(int argc, char** argv) {
  CLI::App app{"adderq-run: run quantized AdderNet artifacts (.adq) on the CPU or an NVIDIA GPU.\n"
               "Example: adderq-run eval resnet20_w4.adq --data ../shared/data/cifar-10-batches-bin"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("adderq-run ") + adderq::kAdderqVersion);
  adderq::tools::EvalArgs eval_args;
  adderq::tools::InfoArgs info_args;
  adderq::tools::AddEvalCommand(app, eval_args);
  adderq::tools::AddInfoCommand(app, info_args);
  adderq::tools::JitArgs jit_args;
  adderq::tools::AddJitCommand(app, jit_args);
  adderq::tools::BenchArgs bench_args;
  adderq::tools::AddBenchCommand(app, bench_args);
  adderq::tools::InferArgs infer_args;
  adderq::tools::AddInferCommand(app, infer_args);
  adderq::tools::TuneArgs tune_args;
  adderq::tools::AddTuneCommand(app, tune_args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error; usage errors exit 1.
    std::fprintf(stderr, "%s: error: %s (see --help)\n", "adderq-run", e.what());
    return 1;
  }
  adderq::Status status;
  if (app.got_subcommand("eval")) status = adderq::tools::RunEval(eval_args);
  else if (app.got_subcommand("info")) status = adderq::tools::RunInfo(info_args);
  else if (app.got_subcommand("jit")) status = adderq::tools::RunJit(jit_args);
  else if (app.got_subcommand("bench")) status = adderq::tools::RunBench(bench_args);
  else if (app.got_subcommand("infer")) status = adderq::tools::RunInfer(infer_args);
  else if (app.got_subcommand("tune")) status = adderq::tools::RunTune(tune_args);
  if (!status.ok()) {
    std::fprintf(stderr, "adderq-run: error: %s\n", status.message().c_str());
    return adderq::ExitCodeFor(status);
  }
  return 0;
}
