# cmake -DSPV=file.spv -DOUT=file.cpp -DNAME=name -P embed_spirv.cmake
# Writes the SPIR-V words of SPV as `const uint32_t lamp_spirv_NAME[]` (little-endian words).
file(READ ${SPV} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR rem "${len} % 8")
if(len EQUAL 0 OR NOT rem EQUAL 0)
  message(FATAL_ERROR "${SPV}: not a whole number of 32-bit SPIR-V words")
endif()
# Each 8 hex digits are one word in file (little-endian) byte order: reverse the bytes.
string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," words "${hex}")
string(REGEX REPLACE "((0x........u,){8})" "\\1\n    " words "${words}")
math(EXPR count "${len} / 8")
file(WRITE ${OUT} "// Generated from ${NAME}.comp by shaders/embed_spirv.cmake. Do not edit.\n"
     "#include <cstddef>\n#include <cstdint>\n"
     "extern const uint32_t lamp_spirv_${NAME}[];\nextern const size_t lamp_spirv_${NAME}_words;\n"
     "alignas(4) const uint32_t lamp_spirv_${NAME}[] = {\n    ${words}\n};\n"
     "const size_t lamp_spirv_${NAME}_words = ${count};\n")
