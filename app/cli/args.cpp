#include "cli/cli.h"

#include <charconv>
#include <cstdlib>

namespace lamp::cli {

Args::Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i)
        items_.emplace_back(argv[i]);
    used_.assign(items_.size(), false);
    end_ = items_.size();
    for (size_t i = 0; i < items_.size(); ++i)
        if (items_[i] == "--") {
            end_ = i;
            used_[i] = true;
            break;
        }
}

bool Args::flag(std::string_view name) {
    bool found = false;
    for (size_t i = 0; i < end_; ++i)
        if (!used_[i] && items_[i] == name) {
            used_[i] = true;
            found = true;
        }
    return found;
}

std::vector<std::string> Args::values(std::initializer_list<std::string_view> names) {
    std::vector<std::string> out;
    for (size_t i = 0; i < end_; ++i) {
        if (used_[i])
            continue;
        for (const auto name : names) {
            const std::string& item = items_[i];
            if (item == name) {
                if (i + 1 >= end_)
                    throw UsageError(std::string(name) + " needs a value");
                used_[i] = used_[i + 1] = true;
                out.push_back(items_[i + 1]);
                ++i;
                break;
            }
            if (item.size() > name.size() && item.compare(0, name.size(), name) == 0 && item[name.size()] == '=') {
                used_[i] = true;
                out.push_back(item.substr(name.size() + 1));
                break;
            }
        }
    }
    return out;
}

std::optional<std::string> Args::value(std::initializer_list<std::string_view> names) {
    auto all = values(names);
    if (all.empty())
        return std::nullopt;
    return all.back();
}

std::optional<int64_t> Args::integer(std::initializer_list<std::string_view> names) {
    const auto v = value(names);
    if (!v)
        return std::nullopt;
    int64_t n = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size())
        throw UsageError(std::string(*names.begin()) + " takes a whole number, not '" + *v + "'");
    return n;
}

std::optional<double> Args::number(std::initializer_list<std::string_view> names) {
    const auto v = value(names);
    if (!v)
        return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(v->c_str(), &end);
    if (v->empty() || end != v->c_str() + v->size())
        throw UsageError(std::string(*names.begin()) + " takes a number, not '" + *v + "'");
    return d;
}

std::vector<std::string> Args::positionals() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < items_.size(); ++i) {
        if (used_[i])
            continue;
        const std::string& item = items_[i];
        const bool looksLikeOption = i < end_ && item.size() > 1 && item[0] == '-' &&
                                     !(item[1] >= '0' && item[1] <= '9');  // "-5" is a number
        if (looksLikeOption)
            throw UsageError("unknown option " + item);
        out.push_back(item);
    }
    return out;
}

} // namespace lamp::cli
