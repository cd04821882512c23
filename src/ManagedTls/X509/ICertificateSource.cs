namespace ManagedTls.X509;

/// <summary>
/// A place certificates can be looked up by subject at verification time, such as an OpenSSL hashed
/// directory (<c>capath</c>). Returns DER encodings; an empty sequence when there are none.
/// </summary>
public interface ICertificateSource
{
    /// <summary>Certificates (DER) whose subject name equals <paramref name="subjectNameDer"/> (DER of the Name).</summary>
    /// <param name="subjectNameDer">The DER encoding of the wanted subject Name.</param>
    /// <returns>Zero or more DER certificates.</returns>
    IEnumerable<byte[]> FindBySubject(byte[] subjectNameDer);
}
