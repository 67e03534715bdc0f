#include "chat/jinja_text.h"

#include "tokenizer/utf8.h"

#include <cctype>

namespace lamp::jinja::text {
namespace {

struct Cp {
    char32_t cp;
    size_t pos;
    size_t len;
};

Cp decodeAt(std::string_view s, size_t pos) {
    const auto c = static_cast<unsigned char>(s[pos]);
    if (c < 0x80)
        return {c, pos, 1};
    const utf8::Step step = utf8::decode(s, pos);
    if (step.status != utf8::Step::Status::Ok)
        return {0xDC00u + c, pos, 1};  // an unpaired surrogate: never white space, never matches
    return {step.codePoint, pos, step.length};
}

std::vector<Cp> decodeAll(std::string_view s) {
    std::vector<Cp> out;
    for (size_t pos = 0; pos < s.size();) {
        const Cp c = decodeAt(s, pos);
        out.push_back(c);
        pos += c.len;
    }
    return out;
}

char asciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool asciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

} // namespace

std::vector<std::string_view> codePoints(std::string_view s) {
    std::vector<std::string_view> out;
    for (const Cp& c : decodeAll(s))
        out.push_back(s.substr(c.pos, c.len));
    return out;
}

size_t codePointCount(std::string_view s) {
    size_t n = 0;
    for (size_t pos = 0; pos < s.size(); ++n)
        pos += decodeAt(s, pos).len;
    return n;
}

std::string codePointSlice(std::string_view s, int64_t lo, int64_t hi, int64_t step) {
    bool ascii = true;
    for (const char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    std::string out;
    if (ascii) {
        for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step)
            out += s[static_cast<size_t>(i)];
        return out;
    }
    const auto cps = codePoints(s);
    for (int64_t i = lo; step > 0 ? i < hi : i > hi; i += step)
        out += cps[static_cast<size_t>(i)];
    return out;
}

bool isSpace(char32_t cp) {
    if (cp >= 0x09 && cp <= 0x0D)
        return true;
    if (cp >= 0x1C && cp <= 0x20)
        return true;
    switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default: return cp >= 0x2000 && cp <= 0x200A;
    }
}

std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right) {
    std::vector<char32_t> set;
    if (chars)
        for (const Cp& c : decodeAll(*chars))
            set.push_back(c.cp);
    const auto strippable = [&](char32_t cp) {
        if (!chars)
            return isSpace(cp);
        for (const char32_t x : set)
            if (x == cp)
                return true;
        return false;
    };
    const auto cps = decodeAll(s);
    size_t begin = 0, end = cps.size();
    if (left)
        while (begin < end && strippable(cps[begin].cp))
            ++begin;
    if (right)
        while (end > begin && strippable(cps[end - 1].cp))
            --end;
    if (begin == end)
        return {};
    const size_t from = cps[begin].pos;
    const size_t to = cps[end - 1].pos + cps[end - 1].len;
    return std::string(s.substr(from, to - from));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit) {
    std::vector<std::string> out;
    if (sep) {
        size_t start = 0;
        while (maxSplit < 0 || static_cast<int64_t>(out.size()) < maxSplit) {
            const size_t at = s.find(*sep, start);
            if (at == std::string_view::npos)
                break;
            out.emplace_back(s.substr(start, at - start));
            start = at + sep->size();
        }
        out.emplace_back(s.substr(start));
        return out;
    }
    const auto cps = decodeAll(s);
    size_t i = 0;
    while (i < cps.size()) {
        while (i < cps.size() && isSpace(cps[i].cp))
            ++i;
        if (i == cps.size())
            break;
        if (maxSplit >= 0 && static_cast<int64_t>(out.size()) >= maxSplit) {
            // The rest, with trailing white space removed, is the last piece.
            out.push_back(strip(s.substr(cps[i].pos), std::nullopt, false, true));
            return out;
        }
        const size_t begin = cps[i].pos;
        while (i < cps.size() && !isSpace(cps[i].cp))
            ++i;
        const size_t end = i < cps.size() ? cps[i].pos : s.size();
        out.emplace_back(s.substr(begin, end - begin));
    }
    return out;
}

std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit) {
    if (maxSplit < 0 || !sep)
        return split(s, sep, maxSplit);  // white-space rsplit with a limit is rare; split is close
    std::vector<std::string> out;
    size_t end = s.size();
    while (static_cast<int64_t>(out.size()) < maxSplit && end >= sep->size()) {
        const size_t at = s.rfind(*sep, end - sep->size());
        if (at == std::string_view::npos)
            break;
        out.emplace(out.begin(), s.substr(at + sep->size(), end - at - sep->size()));
        end = at;
    }
    out.emplace(out.begin(), s.substr(0, end));
    return out;
}

std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count) {
    std::string out;
    if (from.empty()) {
        // Python inserts `to` between code points (and at both ends).
        int64_t done = 0;
        for (const auto& piece : codePoints(s)) {
            if (count < 0 || done < count) {
                out += to;
                ++done;
            }
            out += piece;
        }
        if (count < 0 || done < count)
            out += to;
        return out;
    }
    size_t start = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        const size_t at = s.find(from, start);
        if (at == std::string_view::npos)
            break;
        out += s.substr(start, at - start);
        out += to;
        start = at + from.size();
        ++done;
    }
    out += s.substr(start);
    return out;
}

std::vector<std::string> splitLines(std::string_view s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' || s[i] == '\r') {
            out.emplace_back(s.substr(start, i - start));
            if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')
                ++i;
            start = i + 1;
        }
    }
    if (start < s.size())
        out.emplace_back(s.substr(start));
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = asciiUpper(c);
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = asciiLower(c);
    return out;
}

std::string pyTitle(std::string_view s) {
    std::string out(s);
    bool previousCased = false;
    for (char& c : out) {
        if (asciiAlpha(c)) {
            c = previousCased ? asciiLower(c) : asciiUpper(c);
            previousCased = true;
        } else {
            previousCased = false;
        }
    }
    return out;
}

std::string jinjaTitle(std::string_view s) {
    std::string out(s);
    bool wordStart = true;
    for (char& c : out) {
        const bool separator = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' ||
                               std::isspace(static_cast<unsigned char>(c));
        if (separator) {
            wordStart = true;
            continue;
        }
        c = wordStart ? asciiUpper(c) : asciiLower(c);
        wordStart = false;
    }
    return out;
}

std::string capitalize(std::string_view s) {
    std::string out = lower(s);
    if (!out.empty())
        out[0] = asciiUpper(out[0]);
    return out;
}

} // namespace lamp::jinja::text
