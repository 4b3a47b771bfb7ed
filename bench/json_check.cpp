// A strict JSON checker: the grammar of RFC 8259 (plus Google Benchmark's NaN and Infinity), no
// values kept.
#include <cctype>
#include <string_view>

#include "result_file.hpp"

namespace cvp::bench {

namespace {

// A recursive-descent JSON checker: no values kept, only the grammar.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view t) : t_(t) {}
  bool document() {
    ws();
    if (!value(0)) return false;
    ws();
    return at_ == t_.size();
  }

 private:
  bool value(int depth) {
    if (depth > 64 || at_ >= t_.size()) return false;
    switch (t_[at_]) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return word("true");
      case 'f':
        return word("false");
      case 'n':
        return word("null");
      case 'N':  // Google Benchmark writes NaN and Infinity, as Python's json does
        return word("NaN");
      case 'I':
        return word("Infinity");
      default:
        return t_.substr(at_, 9) == "-Infinity" ? word("-Infinity") : number();
    }
  }
  bool object(int depth) {
    ++at_;
    ws();
    if (eat('}')) return true;
    do {
      ws();
      if (at_ >= t_.size() || t_[at_] != '"' || !string()) return false;
      ws();
      if (!eat(':')) return false;
      ws();
      if (!value(depth + 1)) return false;
      ws();
    } while (eat(','));
    return eat('}');
  }
  bool array(int depth) {
    ++at_;
    ws();
    if (eat(']')) return true;
    do {
      ws();
      if (!value(depth + 1)) return false;
      ws();
    } while (eat(','));
    return eat(']');
  }
  bool string() {
    ++at_;
    while (at_ < t_.size() && t_[at_] != '"') {
      const auto c = static_cast<unsigned char>(t_[at_]);
      if (c < 0x20) return false;
      at_ += c == '\\' ? 2 : 1;
    }
    return eat('"');
  }
  bool number() {
    const std::size_t start = at_;
    eat('-');
    std::size_t digits = 0;
    while (at_ < t_.size() &&
           (std::isdigit(static_cast<unsigned char>(t_[at_])) || t_[at_] == '.' || t_[at_] == 'e' ||
            t_[at_] == 'E' || t_[at_] == '+' || t_[at_] == '-')) {
      digits += std::isdigit(static_cast<unsigned char>(t_[at_])) ? 1 : 0;
      ++at_;
    }
    return at_ > start && digits > 0;
  }
  bool word(std::string_view w) {
    if (t_.substr(at_, w.size()) != w) return false;
    at_ += w.size();
    return true;
  }
  bool eat(char c) {
    if (at_ < t_.size() && t_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  void ws() {
    while (at_ < t_.size() &&
           (t_[at_] == ' ' || t_[at_] == '\n' || t_[at_] == '\r' || t_[at_] == '\t')) {
      ++at_;
    }
  }

  std::string_view t_;
  std::size_t at_ = 0;
};

}  // namespace

bool is_json(std::string_view text) { return JsonChecker(text).document(); }

}  // namespace cvp::bench
