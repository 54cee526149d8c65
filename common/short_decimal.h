// Doubles as short decimal text: the fewest significant digits that read back as the value
// (0.0003, not yaml-cpp's 0.00029999999999999997), or, given a range, that read back inside it
// with at least `min_digits` digits (a drawn value printed readably yet never outside its range).
// Pure functions.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace passrl {

inline std::string ShortDecimal(double v, double low, double high, int min_digits = 1) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, v);
    const double back = std::strtod(text, nullptr);
    if (back == v || (digits >= min_digits && back >= low && back <= high)) break;
  }
  return text;
}

inline std::string ShortDecimal(double v) { return ShortDecimal(v, v, v); }

}  // namespace passrl
