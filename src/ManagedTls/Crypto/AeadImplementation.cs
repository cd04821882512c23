namespace ManagedTls.Crypto;

/// <summary>Which implementation of an AEAD <see cref="Aeads.Create(AeadAlgorithm, ReadOnlySpan{byte}, AeadImplementation)"/> returns.</summary>
internal enum AeadImplementation
{
    /// <summary>The hardware implementation where this CPU has one, BouncyCastle otherwise.</summary>
    Auto,
    /// <summary>BouncyCastle (every runtime and CPU); also the oracle for the hardware implementations.</summary>
    Portable,
    /// <summary>The implementation on CPU instructions (System.Runtime.Intrinsics), where available.</summary>
    Hardware,
}
