"""vhsm_fuzz_test: a libFuzzer harness that is also a corpus-replay test."""

def vhsm_fuzz_test(name, srcs, corpus, deps):
    native.cc_test(
        name = name,
        srcs = srcs,
        args = ["-runs=0"] + ["$(location %s)" % f for f in corpus],
        data = corpus,
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = deps + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
    )
