// Python string semantics over UTF-8 text for the Jinja interpreter: Python counts, indexes and
// slices strings by code point and its str.strip()/split() treat every Unicode white-space
// character as white space (U+3000 included). Case mapping (upper, lower, title, capitalize) is
// ASCII-only: other characters are left as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lamp::jinja::text {

// The text split into code points (an ill-formed byte counts as one).
std::vector<std::string_view> codePoints(std::string_view s);
size_t codePointCount(std::string_view s);
// s[lo:hi:step] by code point, with indexes already clamped as slice.indices() does.
std::string codePointSlice(std::string_view s, int64_t lo, int64_t hi, int64_t step);

// Python str.isspace() for one code point.
bool isSpace(char32_t cp);

// str.strip / lstrip / rstrip: without `chars`, Unicode white space; with it, any of its code points.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);
// str.split(sep, maxsplit): without `sep`, runs of white space separate and empty pieces are dropped.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit);
// str.rsplit(sep, maxsplit).
std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, int64_t maxSplit);
// str.replace(old, new, count); count < 0 replaces all.
std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);
// str.splitlines() (without keepends).
std::vector<std::string> splitLines(std::string_view s);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string pyTitle(std::string_view s);       // str.title()
std::string jinjaTitle(std::string_view s);    // the |title filter (words start after - space ( { [ <)
std::string capitalize(std::string_view s);    // str.capitalize() and |capitalize

} // namespace lamp::jinja::text
