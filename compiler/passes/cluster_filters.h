// ALGORITHM.md step 2: group the output filters of an adder layer by m_o = max |W[o]|.
//
// We use the exact optimal 1-D k-means (dynamic programming over the sorted values), not
// k-means++: the result is the global minimum of the within-group sum of squares that Lloyd's
// algorithm only approaches, it needs no seed, and it is deterministic by construction (ties
// between equal costs go to the earliest split). Every group is non-empty.
#pragma once

#include <span>
#include <vector>

#include "core/status.h"

namespace adderq::passes {

// Group index per value, groups numbered by ascending value. groups is clamped to values.size().
Result<std::vector<int>> OptimalKMeans1D(std::span<const float> values, int groups);

}  // namespace adderq::passes
