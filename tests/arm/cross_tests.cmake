# The AArch64 kernels (inference/cpu/neon*), cross-built and run under qemu user mode: the ctest
# test cpu_kernels_aarch64 runs tests/arm/cpu_kernels_main.cpp on a CPU model with the dot product
# (-cpu cortex-a76: the neondot family) and one without (-cpu cortex-a72: portable and neon).
# Included by tests/CMakeLists.txt. Needs g++-aarch64-linux-gnu and qemu-user (scripts/setup.sh
# ci installs them); without them the test reports itself skipped.
option(LAMP_ARM_CROSS_TESTS
       "Cross-build the CPU kernels for AArch64 and test them under qemu (on in the ci preset)" OFF)

if(LAMP_ARM_CROSS_TESTS)
  find_program(LAMP_AARCH64_CXX aarch64-linux-gnu-g++)
  find_program(LAMP_QEMU_AARCH64 qemu-aarch64)
  if(LAMP_AARCH64_CXX AND LAMP_QEMU_AARCH64)
    include(ExternalProject)
    ExternalProject_Add(lamp_arm_cross
      SOURCE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/arm
      BINARY_DIR ${CMAKE_CURRENT_BINARY_DIR}/arm
      CMAKE_GENERATOR Ninja
      CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/toolchain-aarch64.cmake
                 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAMP_WERROR=${LAMP_WERROR}
                 -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
      BUILD_ALWAYS ON
      INSTALL_COMMAND "")
    set(program ${CMAKE_CURRENT_BINARY_DIR}/arm/cpu_kernels_aarch64)
    set(qemu "'${LAMP_QEMU_AARCH64}' -L /usr/aarch64-linux-gnu")
    # Each family once: neondot on a CPU model with the dot product, portable and neon on one
    # without (--expect fails a run whose CPU model turns out to have the other family). Both are
    # the smallest cores of their family (Cortex-A76: ARMv8.2 + dot product; Cortex-A72: ARMv8.0),
    # so an instruction beyond the family traps instead of passing as it would on -cpu max.
    # LAMPLIGHT_CPU_ISA picks a narrower family than the CPU's in the first run and is refused
    # (the CPU lacks it) in the second.
    set(with_dot "LAMPLIGHT_CPU_ISA=neon ${qemu} -cpu cortex-a76 '${program}' --expect neondot \
--expect-active neon --only neondot")
    set(without_dot "LAMPLIGHT_CPU_ISA=neondot ${qemu} -cpu cortex-a72 '${program}' --expect neon \
--expect-active neon --only portable,neon")
    add_test(NAME cpu_kernels_aarch64 COMMAND sh -c "${with_dot} && ${without_dot}")
    set_tests_properties(cpu_kernels_aarch64 PROPERTIES TIMEOUT 300)
  else()
    set(reason "aarch64-linux-gnu-g++ or qemu-aarch64 not found: install g++-aarch64-linux-gnu and \
qemu-user (scripts/setup.sh ci does)")
    add_test(NAME cpu_kernels_aarch64
             COMMAND sh -c "echo 'cpu_kernels_aarch64 skipped: ${reason}'; exit 77")
    set_tests_properties(cpu_kernels_aarch64 PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endif()
