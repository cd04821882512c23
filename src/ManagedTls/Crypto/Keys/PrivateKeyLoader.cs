using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using BcPemObject = Org.BouncyCastle.Utilities.IO.Pem.PemObject;
using BcPemReader = Org.BouncyCastle.Utilities.IO.Pem.PemReader;

namespace ManagedTls.Crypto;

/// <summary>
/// Reads private keys in the encodings OpenSSL writes:
/// <list type="bullet">
/// <item>PKCS#8 PrivateKeyInfo (<c>BEGIN PRIVATE KEY</c>; RSA, RSA-PSS, EC, Ed25519, Ed448);</item>
/// <item>PKCS#8 EncryptedPrivateKeyInfo (<c>BEGIN ENCRYPTED PRIVATE KEY</c>): PBES2 with PBKDF2 (HMAC-SHA-1/224/256/384/512)
/// and AES, ARIA, Camellia-CBC or DES-EDE3-CBC, as <c>openssl pkcs8 -topk8 -v2</c> writes, PBES2 with scrypt and AES-CBC
/// (<c>-scrypt</c>), and the PKCS#12 PBE schemes
/// such as <c>PBE-SHA1-3DES</c> (<c>-v1</c>);</item>
/// <item>PKCS#1 RSAPrivateKey (<c>BEGIN RSA PRIVATE KEY</c>) and SEC1 ECPrivateKey (<c>BEGIN EC PRIVATE KEY</c>,
/// with or without the curve and public key; a missing curve is taken from a preceding <c>EC PARAMETERS</c> block),
/// either one optionally under OpenSSL's legacy PEM encryption (<c>Proc-Type: 4,ENCRYPTED</c> + <c>DEK-Info</c>:
/// AES-128/192/256-CBC, DES-EDE3-CBC, DES-CBC);</item>
/// <item>the same structures as raw DER.</item>
/// </list>
/// </summary>
internal static class PrivateKeyLoader
{
    /// <summary>PEM when the input holds a <c>-----BEGIN</c> line, DER otherwise.</summary>
    public static PrivateKey Load(ReadOnlySpan<byte> data, string? password)
    {
        if (data.IndexOf("-----BEGIN "u8) >= 0)
        {
            return FromPem(Encoding.UTF8.GetString(data.ToArray()), password);
        }

        return FromDer(data, password);
    }

    /// <summary>Finds the first private key among the PEM blocks of <paramref name="pem"/>.</summary>
    public static PrivateKey FromPem(string pem, string? password)
    {
        Asn1Object? ecParameters = null;
        var reader = new BcPemReader(new StringReader(pem));
        while (true)
        {
            BcPemObject? block;
            try
            {
                block = reader.ReadPemObject();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new KeyFormatException(KeyFormatError.Malformed, "malformed PEM block", e);
            }

            if (block is null)
            {
                throw new KeyFormatException(KeyFormatError.NoKey, "no private key found in the PEM input");
            }

            switch (block.Type)
            {
                case "EC PARAMETERS":
                    ecParameters = Parse(() => X962Parameters.GetInstance(block.Content).ToAsn1Object(), "malformed EC PARAMETERS block");
                    break;
                case "PRIVATE KEY":
                    return FromPrivateKeyInfo(Parse(() => PrivateKeyInfo.GetInstance(block.Content), "malformed PKCS#8 private key"));
                case "ENCRYPTED PRIVATE KEY":
                    return FromEncryptedPrivateKeyInfo(Parse(() => EncryptedPrivateKeyInfo.GetInstance(block.Content), "malformed PKCS#8 encrypted private key"), password);
                case "RSA PRIVATE KEY":
                case "EC PRIVATE KEY":
                    return IsLegacyEncrypted(block)
                        ? FromLegacyEncrypted(block, ecParameters, password)
                        : block.Type == "RSA PRIVATE KEY" ? FromRsaPrivateKey(block.Content) : FromSec1(block.Content, ecParameters);
                default:
                    if (block.Type.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
                    {
                        throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported key type '{block.Type}'");
                    }

                    break;
            }
        }
    }

    /// <summary>Loads a DER key, telling the four structures apart by their shape.</summary>
    public static PrivateKey FromDer(ReadOnlySpan<byte> der, string? password)
    {
        byte[] bytes = der.ToArray();
        Asn1Sequence sequence = Parse(() => Asn1Sequence.GetInstance(Asn1Object.FromByteArray(bytes)), "input is neither PEM nor a DER private key");
        if (sequence.Count == 2 && sequence[0] is Asn1Sequence && sequence[1] is Asn1OctetString)
        {
            return FromEncryptedPrivateKeyInfo(Parse(() => EncryptedPrivateKeyInfo.GetInstance(sequence), "malformed PKCS#8 encrypted private key"), password);
        }

        if (sequence.Count >= 3 && sequence[0] is DerInteger && sequence[1] is Asn1Sequence && sequence[2] is Asn1OctetString)
        {
            return FromPrivateKeyInfo(Parse(() => PrivateKeyInfo.GetInstance(sequence), "malformed PKCS#8 private key"));
        }

        if (sequence.Count >= 2 && sequence[0] is DerInteger && sequence[1] is Asn1OctetString)
        {
            return FromSec1(sequence.GetEncoded(), null);
        }

        if (sequence.Count >= 9 && sequence[0] is DerInteger)
        {
            return FromRsaPrivateKey(sequence.GetEncoded());
        }

        throw new KeyFormatException(KeyFormatError.Malformed, "DER input is not a PKCS#8, PKCS#1 or SEC1 private key");
    }

    private static PrivateKey FromPrivateKeyInfo(PrivateKeyInfo info)
    {
        AlgorithmIdentifier algorithm = info.PrivateKeyAlgorithm;
        bool rsaPss = algorithm.Algorithm.Equals(PkcsObjectIdentifiers.IdRsassaPss);
        AsymmetricKeyParameter key = Parse(() => RsaModulusCheck.Create(() => PrivateKeyFactory.CreateKey(info)), $"unsupported or malformed PKCS#8 key ({algorithm.Algorithm.Id})", KeyFormatError.Unsupported);
        return PrivateKey.FromParameters(key, rsaPss ? algorithm : null);
    }

    private static PrivateKey FromEncryptedPrivateKeyInfo(EncryptedPrivateKeyInfo info, string? password)
    {
        if (password is null)
        {
            throw new KeyFormatException(KeyFormatError.PasswordRequired, "the private key is encrypted and no password was given");
        }

        if (TryDecryptScrypt(info, password) is { } scryptPlain)
        {
            return FromPrivateKeyInfo(scryptPlain);
        }

        char[] chars = password.ToCharArray();
        PrivateKeyInfo plain;
        try
        {
            plain = PrivateKeyInfoFactory.CreatePrivateKeyInfo(chars, info);
        }
        catch (SecurityUtilityException e)
        {
            throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported key encryption ({info.EncryptionAlgorithm.Algorithm.Id})", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new KeyFormatException(KeyFormatError.WrongPassword, "bad decrypt: wrong password for the encrypted private key", e);
        }
        finally
        {
            Array.Clear(chars, 0, chars.Length);
        }

        return FromPrivateKeyInfo(plain);
    }

    /// <summary>
    /// PBES2 with the scrypt KDF (RFC 7914 section 7, <c>openssl pkcs8 -topk8 -scrypt</c>), which BouncyCastle's
    /// PKCS#8 decryptor lacks: scrypt-params { salt, N, r, p, keyLength? } and AES-CBC with its IV. Null when
    /// the key is not encrypted that way. N * r is capped so a hostile file cannot demand gigabytes.
    /// <code>
    /// PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
    /// scrypt-params ::= SEQUENCE { salt OCTET STRING, costParameter INTEGER, blockSize INTEGER,
    ///                              parallelizationParameter INTEGER, keyLength INTEGER OPTIONAL }
    /// </code>
    /// </summary>
    private static PrivateKeyInfo? TryDecryptScrypt(EncryptedPrivateKeyInfo info, string password)
    {
        const string Scrypt = "1.3.6.1.4.1.11591.4.11";
        if (!info.EncryptionAlgorithm.Algorithm.Equals(PkcsObjectIdentifiers.IdPbeS2)
            || info.EncryptionAlgorithm.Parameters is not Asn1Sequence { Count: 2 } pbes2
            || pbes2[0] is not Asn1Sequence { Count: 2 } kdf
            || kdf[0] is not DerObjectIdentifier kdfOid
            || kdfOid.Id != Scrypt)
        {
            return null;
        }

        if (kdf[1] is not Asn1Sequence { Count: >= 4 } scrypt
            || scrypt[0] is not Asn1OctetString salt
            || scrypt[1] is not DerInteger n || scrypt[2] is not DerInteger r || scrypt[3] is not DerInteger p
            || pbes2[1] is not Asn1Sequence { Count: 2 } encryption
            || encryption[0] is not DerObjectIdentifier cipherOid
            || encryption[1] is not Asn1OctetString iv)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "malformed scrypt parameters");
        }

        int keyLength = cipherOid.Id switch
        {
            "2.16.840.1.101.3.4.1.2" => 16,
            "2.16.840.1.101.3.4.1.22" => 24,
            "2.16.840.1.101.3.4.1.42" => 32,
            _ => throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported cipher with scrypt ({cipherOid.Id})"),
        };

        if (n.Value.BitLength > 21 || r.Value.BitLength > 8 || p.Value.BitLength > 5 || n.Value.IntValue < 2
            || (long)n.Value.IntValue * r.Value.IntValue > (1L << 21) || r.Value.SignValue <= 0 || p.Value.SignValue <= 0
            || iv.GetOctets().Length != 16)
        {
            throw new KeyFormatException(KeyFormatError.Unsupported, "scrypt parameters out of the supported range");
        }

        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        byte[] key = Org.BouncyCastle.Crypto.Generators.SCrypt.Generate(passwordBytes, salt.GetOctets(), n.Value.IntValue, r.Value.IntValue, p.Value.IntValue, keyLength);
        CryptoUtil.Wipe(passwordBytes);
        byte[] plain;
        try
        {
            IBufferedCipher cipher = CipherUtilities.GetCipher("AES/CBC/PKCS7PADDING");
            cipher.Init(false, new ParametersWithIV(new KeyParameter(key), iv.GetOctets()));
            plain = cipher.DoFinal(info.GetEncryptedData());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new KeyFormatException(KeyFormatError.WrongPassword, "bad decrypt: wrong password for the encrypted private key", e);
        }
        finally
        {
            CryptoUtil.Wipe(key);
        }

        try
        {
            return Parse(() => PrivateKeyInfo.GetInstance(plain), "bad decrypt", KeyFormatError.WrongPassword);
        }
        finally
        {
            CryptoUtil.Wipe(plain);
        }
    }

    private static PrivateKey FromRsaPrivateKey(byte[] der)
    {
        RsaPrivateKeyStructure rsa = Parse(() => RsaPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(der)), "malformed PKCS#1 RSA private key");
        RsaPrivateCrtKeyParameters key = Parse(
            () => RsaModulusCheck.Create(() => new RsaPrivateCrtKeyParameters(
                rsa.Modulus, rsa.PublicExponent, rsa.PrivateExponent, rsa.Prime1, rsa.Prime2, rsa.Exponent1, rsa.Exponent2, rsa.Coefficient)),
            "malformed PKCS#1 RSA private key");
        return PrivateKey.FromParameters(key, null);
    }

    private static PrivateKey FromSec1(byte[] der, Asn1Object? fallbackParameters)
    {
        ECPrivateKeyStructure sec1 = Parse(() => ECPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(der)), "malformed SEC1 EC private key");
        Asn1Encodable? parameters = sec1.Parameters ?? fallbackParameters;
        if (parameters is null)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "SEC1 EC private key names no curve (and no EC PARAMETERS block precedes it)");
        }

        var info = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.IdECPublicKey, parameters), sec1);
        AsymmetricKeyParameter key = Parse(() => PrivateKeyFactory.CreateKey(info), "unsupported or malformed EC private key", KeyFormatError.Unsupported);
        return PrivateKey.FromParameters(key, null);
    }

    private static bool IsLegacyEncrypted(BcPemObject block)
    {
        foreach (Org.BouncyCastle.Utilities.IO.Pem.PemHeader header in block.Headers)
        {
            if (header.Name == "Proc-Type" && header.Value.Replace(" ", string.Empty) == "4,ENCRYPTED")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// OpenSSL's pre-PKCS#8 PEM encryption (RFC 1421 headers): <c>DEK-Info: CIPHER,IV</c>; the key is
    /// EVP_BytesToKey(MD5, password, salt = first 8 IV bytes, one iteration), the body CBC with PKCS#7 padding.
    /// A wrong password shows as bad padding or, rarely, as a body that is not a key; both are reported as such.
    /// </summary>
    private static PrivateKey FromLegacyEncrypted(BcPemObject block, Asn1Object? ecParameters, string? password)
    {
        if (password is null)
        {
            throw new KeyFormatException(KeyFormatError.PasswordRequired, "the private key is encrypted and no password was given");
        }

        string? dekInfo = null;
        foreach (Org.BouncyCastle.Utilities.IO.Pem.PemHeader header in block.Headers)
        {
            if (header.Name == "DEK-Info")
            {
                dekInfo = header.Value;
            }
        }

        string[] parts = (dekInfo ?? string.Empty).Split(',');
        if (parts.Length != 2)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "encrypted PEM block without a valid DEK-Info header");
        }

        (string cipherName, int keyLength, int blockLength) = parts[0].Trim().ToUpperInvariant() switch
        {
            "AES-128-CBC" => ("AES/CBC/PKCS7PADDING", 16, 16),
            "AES-192-CBC" => ("AES/CBC/PKCS7PADDING", 24, 16),
            "AES-256-CBC" => ("AES/CBC/PKCS7PADDING", 32, 16),
            "DES-EDE3-CBC" => ("DESEDE/CBC/PKCS7PADDING", 24, 8),
            "DES-CBC" => ("DES/CBC/PKCS7PADDING", 8, 8),
            string other => throw new KeyFormatException(KeyFormatError.Unsupported, $"unsupported PEM encryption '{other}'"),
        };

        byte[] iv = Parse(() => CryptoUtil.FromHex(parts[1].Trim()), "malformed DEK-Info IV");
        if (iv.Length != blockLength)
        {
            throw new KeyFormatException(KeyFormatError.Malformed, "DEK-Info IV has the wrong length");
        }

        byte[] key = BytesToKey(Encoding.UTF8.GetBytes(password), iv, keyLength);
        byte[] plain;
        try
        {
            IBufferedCipher cipher = CipherUtilities.GetCipher(cipherName);
            cipher.Init(false, new ParametersWithIV(new KeyParameter(key), iv));
            plain = cipher.DoFinal(block.Content);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new KeyFormatException(KeyFormatError.WrongPassword, "bad decrypt: wrong password for the encrypted private key", e);
        }
        finally
        {
            CryptoUtil.Wipe(key);
        }

        try
        {
            return block.Type == "RSA PRIVATE KEY" ? FromRsaPrivateKey(plain) : FromSec1(plain, ecParameters);
        }
        catch (KeyFormatException e) when (e.Reason == KeyFormatError.Malformed)
        {
            throw new KeyFormatException(KeyFormatError.WrongPassword, "bad decrypt: wrong password for the encrypted private key", e);
        }
        finally
        {
            CryptoUtil.Wipe(plain);
        }
    }

    /// <summary>OpenSSL's EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_(i-1) || password || salt).</summary>
    private static byte[] BytesToKey(byte[] password, byte[] iv, int length)
    {
        byte[] key = new byte[length];
        var md5 = new Org.BouncyCastle.Crypto.Digests.MD5Digest();
        byte[] block = new byte[md5.GetDigestSize()];
        int done = 0;
        bool first = true;
        while (done < length)
        {
            if (!first)
            {
                md5.BlockUpdate(block, 0, block.Length);
            }

            md5.BlockUpdate(password, 0, password.Length);
            md5.BlockUpdate(iv, 0, 8);
            md5.DoFinal(block, 0);
            int take = Math.Min(block.Length, length - done);
            Buffer.BlockCopy(block, 0, key, done, take);
            done += take;
            first = false;
        }

        CryptoUtil.Wipe(block);
        CryptoUtil.Wipe(password);
        return key;
    }

    private static T Parse<T>(Func<T> parse, string message, KeyFormatError error = KeyFormatError.Malformed)
    {
        try
        {
            return parse() ?? throw new KeyFormatException(error, message);
        }
        catch (KeyFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new KeyFormatException(error, message, e);
        }
    }
}
