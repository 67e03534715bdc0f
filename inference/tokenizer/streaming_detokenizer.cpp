#include "tokenizer/streaming_detokenizer.h"

#include "tokenizer/utf8.h"

namespace lamp {

StreamingDetokenizer::StreamingDetokenizer(const Tokenizer& tokenizer, DecodeOptions options)
    : tokenizer_(&tokenizer), options_(options) {}

std::string StreamingDetokenizer::push(int32_t id) {
    tokenizer_->vocab().checkId(id);
    tokenizer_->decodeNext(id, state_, options_, pending_);

    // Emit every decided character; keep a sequence that is well-formed so far but unfinished.
    std::string out;
    out.reserve(pending_.size());
    size_t pos = 0;
    while (pos < pending_.size()) {
        if (static_cast<unsigned char>(pending_[pos]) < 0x80) {
            out += pending_[pos++];
            continue;
        }
        const utf8::Step s = utf8::decode(pending_, pos);
        if (s.status == utf8::Step::Status::Truncated)
            break;
        if (s.status == utf8::Step::Status::Ok)
            out.append(pending_, pos, s.length);
        else
            utf8::append(out, utf8::kReplacement);
        pos += s.length;
    }
    pending_.erase(0, pos);
    return out;
}

std::string StreamingDetokenizer::flush() {
    std::string out = utf8::sanitize(pending_);
    reset();
    return out;
}

void StreamingDetokenizer::reset() {
    pending_.clear();
    state_ = {};
}

} // namespace lamp
