"""OPENSSL_ONLY: target_compatible_with for targets that need OpenSSL itself."""

OPENSSL_ONLY = select({
    "//third_party:use_boringssl": ["//third_party:incompatible"],
    "//conditions:default": [],
})
