// A hash of what a module is, not of where it lives: two modules that print the same IR up to
// local value names (reached by different pass orders, or parsed into different contexts) hash
// alike. Searches use it to notice that a new pass sequence reached a state an earlier one
// reached (actors/prefix_cache.h), so the steps after it are known.
//
// Hashed: globals, functions, aliases and their order, names, linkage, attributes, types,
// initializers, sections, comdats, attached metadata; every block and instruction in order with its opcode, flags, operands (locals
// by position in their function, constants by value), incoming blocks, attached and named
// metadata (by structure). Not hashed: local value names and use-list order, which the printed
// IR does not show either: states that differ only there hash alike (a search treats them as one;
// its result is replayed from scratch). Deterministic across runs and processes. Pure;
// thread-safe.
#pragma once

#include <cstdint>

namespace llvm {
class Module;
}  // namespace llvm

namespace passrl::envs {

uint64_t ContentHash(const llvm::Module& module);

}  // namespace passrl::envs
