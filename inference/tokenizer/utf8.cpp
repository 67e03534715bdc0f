#include "tokenizer/utf8.h"

namespace lamp::utf8 {

Step decode(std::string_view text, size_t pos) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80)
        return {lead, 1, Step::Status::Ok};

    // Number of bytes, the value bits of the lead byte, and the allowed range of the second byte.
    uint32_t need = 0;
    char32_t cp = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
        cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        cp = lead & 0x0Fu;
        if (lead == 0xE0)
            lo = 0xA0;
        else if (lead == 0xED)
            hi = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        cp = lead & 0x07u;
        if (lead == 0xF0)
            lo = 0x90;
        else if (lead == 0xF4)
            hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return {kReplacement, 1, Step::Status::Invalid};
    }

    uint32_t have = 1;
    while (have < need) {
        if (pos + have >= text.size())
            return {kReplacement, have, Step::Status::Truncated};
        const unsigned char c = byte(pos + have);
        const unsigned char min = have == 1 ? lo : 0x80;
        const unsigned char max = have == 1 ? hi : 0xBF;
        if (c < min || c > max)
            return {kReplacement, have, Step::Status::Invalid};
        cp = (cp << 6) | (c & 0x3Fu);
        ++have;
    }
    return {cp, need, Step::Status::Ok};
}

void append(std::string& out, char32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = kReplacement;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool isValid(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const Step s = decode(text, pos);
        if (s.status != Step::Status::Ok)
            return false;
        pos += s.length;
    }
    return true;
}

std::string sanitize(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            out += text[pos++];
            continue;
        }
        const Step s = decode(text, pos);
        if (s.status == Step::Status::Ok)
            out.append(text.substr(pos, s.length));
        else
            append(out, kReplacement);
        pos += s.length;
    }
    return out;
}

} // namespace lamp::utf8
