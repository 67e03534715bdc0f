// Writes the tiny demo model (random weights, a small SentencePiece vocabulary) that the quick start
// shows when no real model is at hand:  lamplight-make-demo-model OUTPUT.gguf
#include "core/error.h"
#include "support/tiny_models.h"

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT.gguf\n", argv[0]);
        return 2;
    }
    try {
        lamp::test::tinyLlamaModel().write(argv[1]);
    } catch (const lamp::Error& e) {
        std::fprintf(stderr, "lamplight-make-demo-model: %s\n", e.what());
        return 1;
    }
    return 0;
}
