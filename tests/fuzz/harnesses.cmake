# The libFuzzer harnesses, read by tests/fuzz/CMakeLists.txt (to build them with clang) and by
# tests/fuzz/fuzzers.cmake (to register their ctest runs). A harness <name> is the source
# fuzz_<name>.cpp, its seed corpus corpus/<name>/ and the dictionary <name>.dict (json.dict when
# there is none). Adding one is adding its name here (and, if it reads with core sources not yet
# compiled for fuzzing, those sources to SA_FUZZ_CORE_SOURCES in tests/fuzz/CMakeLists.txt).
set(SA_FUZZ_HARNESSES safetensors config_json set_json layer_plan image original_yaml single_file wordpiece lora)
