// Checkpoint naming conventions mapped onto the canonical names the architecture builders read
// (the PyTorch AdderNet repository's names).
#pragma once

#include "state_dict.h"

namespace adderq::models {

// The MindSpore model-zoo AdderQuant network (research/cv/AdderQuant: res20_adder.py +
// adder_quant.py): BatchNorm gamma/beta/moving_mean/moving_variance -> weight/bias/running_mean/
// running_var; `adder` kept. Dropped: `adder_new` and `scale_para` (declared by the network and
// overwritten at calibration) and optimizer state (`moments.*`, `learning_rate`, `global_step`, ...).
frontends::StateDict MindSporeToCanonical(const frontends::StateDict& state);

}  // namespace adderq::models
