using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SdkConformance;

// A CA of the user's own, out of band: what signs the CSR of a manual (issuer Unknown) request.
internal sealed class TestCa : IDisposable
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly DateTimeOffset now = DateTimeOffset.UtcNow;

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public X509Certificate2 Certificate { get; }

    public TestCa(string subject = "CN=SDK conformance test CA, O=Tests")
        : this(new X500DistinguishedName(subject))
    {
    }

    // A CA under a name given byte for byte: one that claims to be another CA.
    public TestCa(X500DistinguishedName subject)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(365));
    }

    // Signs a PKCS#10 request as the service produced it (its signature is checked on load). The generator
    // overload, because the CA's key (EC) and the request's (RSA by default) differ in kind.
    public X509Certificate2 Sign(byte[] csr)
    {
        var request = CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(key), now.AddHours(-1), now.AddDays(90), RandomNumberGenerator.GetBytes(16));
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}
