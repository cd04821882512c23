namespace ManagedTls.Crypto;

/// <summary>The AEAD algorithms TLS record protection uses.</summary>
internal enum AeadAlgorithm
{
    /// <summary>AES-128-GCM (RFC 5116), 16-byte key, 16-byte tag.</summary>
    Aes128Gcm,
    /// <summary>AES-256-GCM (RFC 5116), 32-byte key, 16-byte tag.</summary>
    Aes256Gcm,
    /// <summary>ChaCha20-Poly1305 (RFC 8439), 32-byte key, 16-byte tag.</summary>
    ChaCha20Poly1305,
    /// <summary>AES-128-CCM (RFC 6655), 16-byte key, 16-byte tag.</summary>
    Aes128Ccm,
    /// <summary>AES-128-CCM-8 (RFC 6655), 16-byte key, 8-byte tag.</summary>
    Aes128Ccm8,
    /// <summary>AES-256-CCM (RFC 6655), 32-byte key, 16-byte tag.</summary>
    Aes256Ccm,
    /// <summary>AES-256-CCM-8 (RFC 6655), 32-byte key, 8-byte tag.</summary>
    Aes256Ccm8,
}

/// <summary>
/// An AEAD keyed once and used for many records. Nonces are always 12 bytes. The destination may be the
/// same memory as the source (in-place), starting at the same offset; any other overlap is not allowed.
/// </summary>
internal interface IAead : IDisposable
{
    /// <summary>Which algorithm.</summary>
    AeadAlgorithm Algorithm { get; }

    /// <summary>Key length in bytes.</summary>
    int KeySize { get; }

    /// <summary>Nonce length in bytes (12).</summary>
    int NonceSize { get; }

    /// <summary>Tag length in bytes.</summary>
    int TagSize { get; }

    /// <summary>Encrypts and authenticates: <paramref name="destination"/> receives ciphertext then tag
    /// (<c>plaintext.Length + TagSize</c> bytes). Sealing with the same nonce as the previous seal throws
    /// <see cref="ArgumentException"/> (a defence in depth: nonces come from sequence numbers).</summary>
    void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> destination);

    /// <summary>Verifies and decrypts <paramref name="ciphertextAndTag"/>. On failure returns false and leaves
    /// <paramref name="destination"/> zeroed; nothing unauthenticated is ever left behind.</summary>
    bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> destination);
}
