// Stop conditions on streamed text: end-of-generation tokens, maximum length, user stop strings
// split across tokens, held-back text that turns out not to be a stop, several stop strings, and
// UTF-8 characters split between pieces. Expectations are written out by hand.
#include "core/error.h"
#include "sampling/stop_conditions.h"
#include "tokenizer/utf8.h"

#include <QtTest>

using namespace lamp;

namespace {

constexpr int32_t kEos = 2, kEot = 7, kText = 100;

struct Run {
    std::string text;            // everything emitted, concatenated (flush included)
    std::vector<std::string> chunks;
    StopReason reason = StopReason::None;
    int tokensUntilStop = 0;     // 1-based index of the stopping token, 0 if none
};

// Feeds pieces as text tokens (an int in `eogAt` marks the index fed as an EOG token instead).
Run feedAll(StopConditions& stop, const std::vector<std::string>& pieces, int eogAt = -1) {
    Run run;
    for (size_t i = 0; i < pieces.size(); ++i) {
        const int32_t token = static_cast<int>(i) == eogAt ? kEos : kText;
        const StopCheck check = stop.feed(token, pieces[i]);
        run.text += check.text;
        run.chunks.push_back(check.text);
        if (check.stopped) {
            run.reason = check.reason;
            run.tokensUntilStop = static_cast<int>(i) + 1;
            return run;
        }
    }
    const std::string rest = stop.flush();
    run.text += rest;
    run.chunks.push_back(rest);
    return run;
}

std::vector<std::string> bytesOf(const std::string& text) {
    std::vector<std::string> out;
    for (char c : text)
        out.emplace_back(1, c);
    return out;
}

} // namespace

class TestStopConditions : public QObject {
    Q_OBJECT

private slots:
    void endOfGenerationToken();
    void endOfGenerationReleasesHeldText();
    void maximumLength();
    void stopStringInOnePiece();
    void stopStringAcrossTokens();
    void partialMatchThatIsNotAStop();
    void overlappingPrefixes();
    void severalStopStrings();
    void utf8CharacterSplitBetweenPieces();
    void utf8StopStrings();
    void flushAndReset();
    void badStopStrings();
};

void TestStopConditions::endOfGenerationToken() {
    StopConditions stop({kEos, kEot}, {}, 0);
    StopCheck a = stop.feed(kText, "Hello");
    QCOMPARE(a.text, std::string("Hello"));
    QVERIFY(!a.stopped);
    QCOMPARE(a.reason, StopReason::None);

    // The EOG token's own text (<|im_end|>) is not shown.
    StopCheck b = stop.feed(kEot, "<|im_end|>");
    QVERIFY(b.stopped);
    QCOMPARE(b.reason, StopReason::EndOfGeneration);
    QCOMPARE(b.text, std::string());
    QVERIFY(stop.stopped());
    QCOMPARE(stop.tokenCount(), 2);
    QCOMPARE(std::string(toString(stop.reason())), std::string("end of generation"));

    // Feeding after the stop changes nothing.
    StopCheck c = stop.feed(kText, "more");
    QVERIFY(c.stopped);
    QCOMPARE(c.reason, StopReason::EndOfGeneration);
    QCOMPARE(c.text, std::string());
    QCOMPARE(stop.tokenCount(), 2);
}

void TestStopConditions::endOfGenerationReleasesHeldText() {
    // "#" might have begun "###"; the EOG decides it was text.
    StopConditions stop({kEos}, {"###"});
    const Run run = feedAll(stop, {"a#", "<eos>"}, 1);
    QCOMPARE(run.chunks, (std::vector<std::string>{"a", "#"}));
    QCOMPARE(run.reason, StopReason::EndOfGeneration);
}

void TestStopConditions::maximumLength() {
    StopConditions stop({kEos}, {}, 3);
    const Run run = feedAll(stop, {"a", "b", "c", "d"});
    QCOMPARE(run.reason, StopReason::MaxLength);
    QCOMPARE(run.tokensUntilStop, 3);
    QCOMPARE(run.text, std::string("abc"));

    // Held-back text is released at the limit.
    StopConditions held({kEos}, {"xyz"}, 2);
    const Run r2 = feedAll(held, {"a", "x", "y"});
    QCOMPARE(r2.reason, StopReason::MaxLength);
    QCOMPARE(r2.chunks, (std::vector<std::string>{"a", "x"}));

    // An EOG token or a completed stop string on the last allowed token wins.
    StopConditions eog({kEos}, {}, 2);
    QCOMPARE(feedAll(eog, {"a", "</s>"}, 1).reason, StopReason::EndOfGeneration);
    StopConditions str({kEos}, {"!!"}, 2);
    const Run r3 = feedAll(str, {"a!", "!"});
    QCOMPARE(r3.reason, StopReason::StopString);
    QCOMPARE(r3.text, std::string("a"));

    // No limit.
    StopConditions none({kEos}, {}, 0);
    const Run r4 = feedAll(none, std::vector<std::string>(1000, "x"));
    QCOMPARE(r4.reason, StopReason::None);
    QCOMPARE(r4.text.size(), size_t(1000));
}

void TestStopConditions::stopStringInOnePiece() {
    StopConditions stop({kEos}, {"</answer>"});
    const StopCheck c = stop.feed(kText, "Hello</answer>world");
    QVERIFY(c.stopped);
    QCOMPARE(c.reason, StopReason::StopString);
    QCOMPARE(c.text, std::string("Hello"));
    QCOMPARE(stop.matchedStopString(), std::string("</answer>"));
    QCOMPARE(stop.heldBackBytes(), size_t(0));
}

void TestStopConditions::stopStringAcrossTokens() {
    StopConditions stop({kEos}, {"###"});
    StopCheck a = stop.feed(kText, "Hi #");
    QCOMPARE(a.text, std::string("Hi "));
    QCOMPARE(stop.heldBackBytes(), size_t(1));
    StopCheck b = stop.feed(kText, "#");
    QCOMPARE(b.text, std::string());
    QCOMPARE(stop.heldBackBytes(), size_t(2));
    StopCheck c = stop.feed(kText, "# Next");
    QVERIFY(c.stopped);
    QCOMPARE(c.reason, StopReason::StopString);
    QCOMPARE(c.text, std::string());

    // One byte at a time, a stop string that begins with a newline.
    StopConditions bytes({kEos}, {"\nUser:"});
    const Run run = feedAll(bytes, bytesOf("The answer is 42.\nUser: thanks"));
    QCOMPARE(run.reason, StopReason::StopString);
    QCOMPARE(run.text, std::string("The answer is 42."));
    QCOMPARE(run.tokensUntilStop, int(std::string("The answer is 42.\nUser:").size()));
}

void TestStopConditions::partialMatchThatIsNotAStop() {
    StopConditions stop({kEos}, {"###"});
    const Run run = feedAll(stop, {"a#", "#b", " ##", "#"});
    // "#" and "##" are held back, then shown once "b" rules the stop out; the last "###" stops.
    QCOMPARE(run.chunks, (std::vector<std::string>{"a", "##b", " ", ""}));
    QCOMPARE(run.reason, StopReason::StopString);

    StopConditions nl({kEos}, {"\nUser:"});
    const Run r2 = feedAll(nl, {"line\n", "Use", "ful", "\n"});
    QCOMPARE(r2.chunks, (std::vector<std::string>{"line", "", "\nUseful", "", "\n"}));
    QCOMPARE(r2.text, std::string("line\nUseful\n"));
    QCOMPARE(r2.reason, StopReason::None);
}

void TestStopConditions::overlappingPrefixes() {
    // "aaab" with stop "aab": the first "a" is text, the stop starts at the second.
    StopConditions stop({kEos}, {"aab"});
    const Run run = feedAll(stop, {"a", "a", "a", "b"});
    QCOMPARE(run.text, std::string("a"));
    QCOMPARE(run.reason, StopReason::StopString);
}

void TestStopConditions::severalStopStrings() {
    StopConditions stop({kEos}, {"\n\n", "User:", "END"});
    QCOMPARE(stop.feed(kText, "abc User").text, std::string("abc "));
    const StopCheck c = stop.feed(kText, ":");
    QVERIFY(c.stopped);
    QCOMPARE(stop.matchedStopString(), std::string("User:"));

    // The stop string that is complete first wins, as if streamed byte by byte: "y" ends before
    // "xyz" does.
    StopConditions first({kEos}, {"xyz", "y"});
    QCOMPARE(first.feed(kText, "axyz").text, std::string("ax"));
    QCOMPARE(first.matchedStopString(), std::string("y"));
    StopConditions firstBytes({kEos}, {"xyz", "y"});
    QCOMPARE(feedAll(firstBytes, bytesOf("axyz")).text, std::string("ax"));

    // Both end together: the one that starts earlier (longer) wins.
    StopConditions tie({kEos}, {"bc", "abc"});
    QCOMPARE(tie.feed(kText, "xabc").text, std::string("x"));
    QCOMPARE(tie.matchedStopString(), std::string("abc"));
}

void TestStopConditions::utf8CharacterSplitBetweenPieces() {
    // "é" is C3 A9: its first byte is held until the second arrives.
    StopConditions stop({kEos}, {});
    QCOMPARE(stop.feed(kText, "caf\xC3").text, std::string("caf"));
    QCOMPARE(stop.heldBackBytes(), size_t(1));
    QCOMPARE(stop.feed(kText, "\xA9!").text, std::string("caf\xC3\xA9!").substr(3));

    // A four-byte emoji (F0 9F 98 80) and CJK text one byte at a time: every chunk is valid.
    const std::string text = "\xF0\x9F\x98\x80 \xE4\xBD\xA0\xE5\xA5\xBD";
    StopConditions bytes({kEos}, {});
    const Run run = feedAll(bytes, bytesOf(text));
    QCOMPARE(run.text, text);
    for (const std::string& chunk : run.chunks)
        QVERIFY(utf8::isValid(chunk));

    // An unfinished character at the end becomes U+FFFD on flush, as the detokenizer does.
    StopConditions cut({kEos}, {});
    QCOMPARE(cut.feed(kText, "ab\xE4\xBD").text, std::string("ab"));
    QCOMPARE(cut.flush(), std::string("\xEF\xBF\xBD"));
}

void TestStopConditions::utf8StopStrings() {
    // Stop "。" (E3 80 82) in Chinese text streamed byte by byte.
    StopConditions stop({kEos}, {"\xE3\x80\x82"});
    const Run run = feedAll(stop, bytesOf("\xE4\xBD\xA0\xE5\xA5\xBD\xE3\x80\x82\xE5\x86\x8D"));
    QCOMPARE(run.reason, StopReason::StopString);
    QCOMPARE(run.text, std::string("\xE4\xBD\xA0\xE5\xA5\xBD"));
    for (const std::string& chunk : run.chunks)
        QVERIFY(utf8::isValid(chunk));

    // "–" (E2 80 93) shares its first byte with the stop "€" (E2 82 AC): not a stop, and no chunk
    // cuts the character.
    StopConditions euro({kEos}, {"\xE2\x82\xAC"});
    const Run r2 = feedAll(euro, bytesOf("a\xE2\x80\x93" "b"));
    QCOMPARE(r2.reason, StopReason::None);
    QCOMPARE(r2.text, std::string("a\xE2\x80\x93" "b"));
    for (const std::string& chunk : r2.chunks)
        QVERIFY(utf8::isValid(chunk));
}

void TestStopConditions::flushAndReset() {
    StopConditions stop({kEos}, {"###"}, 5);
    QCOMPARE(stop.feed(kText, "a##").text, std::string("a"));
    QCOMPARE(stop.flush(), std::string("##"));
    QCOMPARE(stop.heldBackBytes(), size_t(0));

    QVERIFY(stop.feed(kText, "###").stopped);
    stop.reset();
    QVERIFY(!stop.stopped());
    QCOMPARE(stop.tokenCount(), 0);
    QCOMPARE(stop.matchedStopString(), std::string());
    QCOMPARE(stop.feed(kText, "again").text, std::string("again"));
    QCOMPARE(stop.maxTokens(), 5);
}

void TestStopConditions::badStopStrings() {
    StopConditions stop({}, {"", "END", ""});
    QCOMPARE(stop.stopStrings(), (std::vector<std::string>{"END"}));
    QVERIFY_THROWS_EXCEPTION(Error, StopConditions({}, {"ok", "bad\xFF"}));
    try {
        StopConditions({}, {"ok", "\x80"});
        QFAIL("accepted invalid UTF-8");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("stop string 2") != std::string::npos, e.what());
    }
}

QTEST_APPLESS_MAIN(TestStopConditions)
#include "test_stop_conditions.moc"
