// Program features computed from an LLVM module: the Autophase (56) and InstCount (70) vectors.
//
// Feature lists have one source each: envs/autophase.def, and LLVM's own llvm/IR/Instruction.def
// for the per-opcode counts of InstCount. To add a feature, add a line to the .def file and count
// it in features.cc; names and sizes follow. Pure functions of the module; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class Module;
}

namespace passrl::envs {

inline constexpr int kAutophaseSize = 56;
inline constexpr int kInstCountSize = 70;
inline constexpr int kAutophaseTotalInsts = 51;  // index of TotalInsts in the Autophase vector

const std::vector<std::string>& AutophaseFeatureNames();
// "TotalInstsCount", "TotalBlocksCount", "TotalFuncsCount", then "<Opcode>Count" per LLVM opcode.
const std::vector<std::string>& InstCountFeatureNames();

std::vector<int64_t> ComputeAutophase(const llvm::Module& module);
std::vector<int64_t> ComputeInstCount(const llvm::Module& module);

// Instructions in all function bodies: the IR instruction count reward's cost. O(instructions).
int64_t CountInstructions(const llvm::Module& module);

}  // namespace passrl::envs
