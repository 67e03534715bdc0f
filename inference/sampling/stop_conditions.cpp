#include "sampling/stop_conditions.h"

#include "core/error.h"
#include "tokenizer/utf8.h"

#include <algorithm>

namespace lamp {

namespace {

// Length of an unfinished UTF-8 character at the end of `text` (0 when it ends on a boundary or
// with ill-formed bytes, which no later byte can fix).
size_t unfinishedTail(std::string_view text) {
    const size_t lowest = text.size() >= 3 ? text.size() - 3 : 0;
    for (size_t i = text.size(); i > lowest;) {
        --i;
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
            continue;  // a continuation byte: the character starts further back
        const utf8::Step s = utf8::decode(text, i);
        return s.status == utf8::Step::Status::Truncated ? text.size() - i : 0;
    }
    return 0;
}

} // namespace

const char* toString(StopReason reason) {
    switch (reason) {
    case StopReason::None: return "none";
    case StopReason::EndOfGeneration: return "end of generation";
    case StopReason::StopString: return "stop string";
    case StopReason::MaxLength: return "maximum length";
    }
    return "unknown";
}

StopConditions::StopConditions(std::vector<int32_t> eogIds, std::vector<std::string> stopStrings,
                               int32_t maxTokens)
    : eog_(std::move(eogIds)), maxTokens_(maxTokens) {
    std::sort(eog_.begin(), eog_.end());
    for (size_t i = 0; i < stopStrings.size(); ++i) {
        std::string& s = stopStrings[i];
        if (s.empty())
            continue;
        if (!utf8::isValid(s))
            throw Error("stop string " + std::to_string(i + 1) +
                        " is not valid UTF-8: enter it as text, not as raw bytes");
        stops_.push_back(std::move(s));
    }
}

StopCheck StopConditions::feed(int32_t token, std::string_view piece) {
    if (stopped())
        return {"", true, reason_};
    ++count_;
    if (std::binary_search(eog_.begin(), eog_.end(), token))
        return finish(StopReason::EndOfGeneration, utf8::sanitize(pending_));

    // A stop string found now must end inside the new piece: what was pending had none.
    const size_t oldSize = pending_.size();
    pending_.append(piece);
    size_t bestStart = std::string::npos, bestEnd = std::string::npos;
    const std::string* best = nullptr;
    for (const std::string& s : stops_) {
        const size_t from = oldSize + 1 > s.size() ? oldSize + 1 - s.size() : 0;
        const size_t pos = pending_.find(s, from);
        if (pos == std::string::npos)
            continue;
        const size_t end = pos + s.size();
        if (end < bestEnd || (end == bestEnd && pos < bestStart)) {
            bestStart = pos;
            bestEnd = end;
            best = &s;
        }
    }
    if (best) {
        matched_ = *best;
        return finish(StopReason::StopString, pending_.substr(0, bestStart));
    }

    if (maxTokens_ > 0 && count_ >= maxTokens_)
        return finish(StopReason::MaxLength, utf8::sanitize(pending_));

    const size_t emit = pending_.size() - holdLength();
    StopCheck out{pending_.substr(0, emit), false, StopReason::None};
    pending_.erase(0, emit);
    return out;
}

size_t StopConditions::holdLength() const {
    // The longest end of the pending text that is a proper beginning of some stop string.
    size_t hold = 0;
    const std::string_view text = pending_;
    for (const std::string& s : stops_) {
        for (size_t h = std::min(s.size() - 1, text.size()); h > hold; --h) {
            if (text.ends_with(std::string_view(s).substr(0, h))) {
                hold = h;
                break;
            }
        }
    }
    return std::max(hold, unfinishedTail(text));
}

StopCheck StopConditions::finish(StopReason reason, std::string text) {
    reason_ = reason;
    pending_.clear();
    return {std::move(text), true, reason};
}

std::string StopConditions::flush() {
    std::string out = utf8::sanitize(pending_);
    pending_.clear();
    return out;
}

void StopConditions::reset() {
    count_ = 0;
    reason_ = StopReason::None;
    matched_.clear();
    pending_.clear();
}

} // namespace lamp
