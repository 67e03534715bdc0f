#include "tokenizer/pre_tokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "tokenizer/utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <mutex>
#include <unordered_map>
#include <utility>

namespace lamp {

// One compiled pattern, shared by every tokenizer that uses it.
class CompiledRegex {
public:
    explicit CompiledRegex(const std::string& pattern) : pattern_(pattern) {
        int error = 0;
        PCRE2_SIZE errorOffset = 0;
        constexpr uint32_t options =
            PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY;
        code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options,
                              &error, &errorOffset, nullptr);
        if (code_ == nullptr)
            throw TokenizerError("pre-tokenizer pattern does not compile at offset " +
                                 std::to_string(errorOffset) + ": " + message(error) + " (" +
                                 pattern + ")");
        // Without JIT support PCRE2 interprets the pattern: slower, same results.
        jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
    }
    ~CompiledRegex() { pcre2_code_free(code_); }
    CompiledRegex(const CompiledRegex&) = delete;
    CompiledRegex& operator=(const CompiledRegex&) = delete;

    // Cuts each piece in `in` into matches and the text between them, appending to `out`.
    void refine(std::string_view text, const std::vector<PreTokenizer::Piece>& in,
                std::vector<PreTokenizer::Piece>& out) const;

    static std::string message(int error) {
        PCRE2_UCHAR buffer[256];
        if (pcre2_get_error_message(error, buffer, sizeof buffer) < 0)
            return "PCRE2 error " + std::to_string(error);
        return reinterpret_cast<const char*>(buffer);
    }

private:
    std::string pattern_;
    pcre2_code* code_ = nullptr;
    bool jit_ = false;
};

namespace {

// Per-thread match data and JIT stack (a long run of spaces backtracks deeply in `\s+(?!\S)`).
struct MatchResources {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 16 * 1024 * 1024, nullptr);
    MatchResources() {
        if (context != nullptr && stack != nullptr)
            pcre2_jit_stack_assign(context, nullptr, stack);
    }
    ~MatchResources() {
        pcre2_jit_stack_free(stack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(data);
    }
    MatchResources(const MatchResources&) = delete;
    MatchResources& operator=(const MatchResources&) = delete;
};

MatchResources& matchResources() {
    thread_local MatchResources resources;
    if (resources.data == nullptr || resources.context == nullptr)
        throw TokenizerError("out of memory creating PCRE2 match data");
    return resources;
}

std::shared_ptr<const CompiledRegex> compileCached(const std::string& pattern) {
    static std::mutex mutex;
    static std::unordered_map<std::string, std::shared_ptr<const CompiledRegex>> cache;
    std::lock_guard lock(mutex);
    auto& slot = cache[pattern];
    if (!slot)
        slot = std::make_shared<const CompiledRegex>(pattern);
    return slot;
}

// The patterns, as the models' tokenizer.json files have them (case-insensitive contractions
// spelled out as [sS] so that only ASCII letters fold, as the reference implementation does).
const std::string kGpt2 =
    R"re('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))re";
const std::string kLlama3 =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
const std::string kQwen2 =
    R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
const std::string kContractionsWords =
    R"re('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))re";
const std::string kTekken =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";
const std::string kGpt4o =
    R"re([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re";

// The letters of DeepSeek LLM's tokenizer (cased letters of an older Unicode version).
const std::string kDeepseekLetters =
    "\\s?["
    "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
    "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}"
    "\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}"
    "\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}"
    "\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}"
    "\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}"
    "\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}"
    "\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}"
    "\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
    "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
    "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}"
    "\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}"
    "\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}"
    "\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}"
    "\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}"
    "\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}"
    "\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}"
    "\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}"
    "\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}"
    "]+";

const std::string kBloom =
    R"re( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{0964}\x{06D4}\x{060C})]+)re";

// CJK ideographs, everything from U+0800 up to them, and Hangul (DeepSeek's tokenizers).
const std::string kCjkHangul = R"re([\x{4E00}-\x{9FA5}\x{0800}-\x{4E00}\x{AC00}-\x{D7FF}]+)re";

// Non-ASCII characters in patterns are written as \x{...}: the sources these patterns come from
// contain compatibility characters (U+1FD3, U+212A, ...) that text tools silently normalise.
struct Family {
    const char* name;
    bool ignoreMerges;
    std::vector<std::string> patterns;
    std::vector<std::string_view> preNames;
};

const std::vector<Family>& families() {
    static const std::vector<Family> list = {
        {"gpt2", false, {kGpt2},
         {"", "default", "gpt-2", "gpt2", "phi-2", "jina-es", "jina-de", "jina-v1-en",
          "jina-v2-es", "jina-v2-de", "jina-v2-code", "roberta-bpe", "gigachat", "mpt", "olmo",
          "jais", "trillion", "granite-docling"}},
        {"llama3", true, {kLlama3}, {"llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral"}},
        {"llama3-merges", false, {kLlama3}, {"dbrx", "smaug-bpe", "chatglm-bpe"}},
        {"qwen2", false, {kQwen2}, {"qwen2", "deepseek-r1-qwen", "stablelm2", "hunyuan"}},
        {"deepseek-llm", false,
         {"[\r\n]",
          kDeepseekLetters,
          "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
          "\\s+$", kCjkHangul, "\\p{N}+"},
         {"deepseek-llm"}},
        {"deepseek-coder", false,
         {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", kCjkHangul, "\\p{N}"},
         {"deepseek-coder"}},
        {"deepseek-v3", false,
         {"\\p{N}{1,3}", "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
          R"re([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re"},
         {"deepseek-v3"}},
        {"falcon", false, {R"re([\p{P}\$\+<=>\^~\|`]+)re", kContractionsWords, "[0-9][0-9][0-9]"},
         {"falcon"}},
        {"starcoder", false, {"\\p{N}", kContractionsWords},
         {"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"}},
        {"bloom", false, {kBloom}, {"poro-chat", "bloom", "gpt3-finnish"}},
        {"tekken", true, {kTekken}, {"tekken"}},
        {"gpt-4o", false, {kGpt4o}, {"gpt-4o"}},
    };
    return list;
}

} // namespace

void CompiledRegex::refine(std::string_view text, const std::vector<PreTokenizer::Piece>& in,
                           std::vector<PreTokenizer::Piece>& out) const {
    MatchResources& res = matchResources();
    const auto* base = reinterpret_cast<PCRE2_SPTR>(text.data());
    for (const PreTokenizer::Piece& piece : in) {
        const PCRE2_SPTR subject = base + piece.offset;
        const size_t length = piece.length;
        size_t start = 0;    // where the next search begins
        size_t emitted = 0;  // end of what has been appended
        while (start < length) {
            const int rc =
                jit_ ? pcre2_jit_match(code_, subject, length, start, 0, res.data, res.context)
                     : pcre2_match(code_, subject, length, start, 0, res.data, res.context);
            if (rc == PCRE2_ERROR_NOMATCH)
                break;
            if (rc < 0)
                throw TokenizerError("pre-tokenizer pattern failed: " + message(rc) + " (" +
                                     pattern_ + ")");
            const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(res.data);
            const size_t mBegin = ov[0], mEnd = ov[1];
            if (mEnd <= mBegin) {  // empty match: step over one character
                start = mBegin + utf8::charLength(text.substr(piece.offset, length), mBegin);
                continue;
            }
            if (mBegin > emitted)
                out.push_back({piece.offset + static_cast<uint32_t>(emitted),
                               static_cast<uint32_t>(mBegin - emitted)});
            out.push_back({piece.offset + static_cast<uint32_t>(mBegin),
                           static_cast<uint32_t>(mEnd - mBegin)});
            emitted = start = mEnd;
        }
        if (emitted < length)
            out.push_back({piece.offset + static_cast<uint32_t>(emitted),
                           static_cast<uint32_t>(length - emitted)});
    }
}

PreTokenizer::PreTokenizer(std::string_view preName, std::string_view fileName) {
    const Family* chosen = nullptr;
    for (const Family& f : families()) {
        for (std::string_view name : f.preNames)
            if (name == preName)
                chosen = &f;
        if (chosen != nullptr)
            break;
    }
    if (chosen == nullptr) {
        log::get("tokenizer")
            ->warn("{}: unknown pre-tokenizer '{}' (tokenizer.ggml.pre); using the gpt2 split, so "
                   "tokens may differ from the model's own tokenizer",
                   fileName.empty() ? std::string_view("<vocab>") : fileName, preName);
        chosen = &families().front();
    }
    family_ = chosen->name;
    ignoreMerges_ = chosen->ignoreMerges;
    for (const std::string& p : chosen->patterns)
        regexes_.push_back(compileCached(p));
}

PreTokenizer::~PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer&&) noexcept = default;
PreTokenizer& PreTokenizer::operator=(PreTokenizer&&) noexcept = default;

void PreTokenizer::split(std::string_view text, std::vector<Piece>& out) const {
    out.clear();
    if (text.empty())
        return;
    if (text.size() > 0xFFFFFFFFu)
        throw TokenizerError("text too long to tokenize at once (4 GiB or more)");
    std::vector<Piece> current{{0, static_cast<uint32_t>(text.size())}};
    for (const auto& regex : regexes_) {
        out.clear();
        out.reserve(current.size() + text.size() / 4);
        regex->refine(text, current, out);
        std::swap(current, out);
    }
    std::swap(current, out);
}

std::vector<std::string> PreTokenizer::knownNames() {
    std::vector<std::string> names;
    for (const Family& f : families())
        for (std::string_view name : f.preNames)
            if (!name.empty())
                names.emplace_back(name);
    return names;
}

} // namespace lamp
