using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Xunit;

namespace SdkConformance;

// One test per scenario of test/helpers/sdk-conformance.ts, named exactly as there (snake_case on purpose:
// the jest wrapper matches the TRX result names to that list).
[TestCaseOrderer(ChallengeFirstOrderer.TypeName, ChallengeFirstOrderer.AssemblyName)]
public class Scenarios
{
    private const string VaultScope = "https://vault.azure.net/.default";
    private static readonly TimeSpan PollingInterval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task challenge_handshake()
    {
        var credential = Vault.Credential();
        var recorder = new HttpPipelinePolicyRecorder();
        var client = Vault.Certificates(credential, recorder);

        await client.StartCreateCertificateAsync(Vault.UniqueName("challenge"), new CertificatePolicy("Unknown", "CN=challenge.dotnet.example"), cancellationToken: Vault.Deadline());

        var exchanges = recorder.Exchanges;
        Assert.True(exchanges.Count == 2, $"expected the token-less request and its authorized retry, saw: {string.Join("; ", exchanges)}");
        Assert.False(exchanges[0].HadAuthorization);
        Assert.Equal(401, exchanges[0].Status);
        Assert.StartsWith("Bearer ", exchanges[0].WwwAuthenticate);
        Assert.True(exchanges[1].HadAuthorization);
        Assert.Equal(202, exchanges[1].Status);
        var scopes = Assert.Single(credential.RequestedScopes);
        Assert.Equal([VaultScope], scopes);
    }

    [Fact]
    public async Task self_create_polled_to_completion()
    {
        var name = Vault.UniqueName("self");
        var client = Vault.Certificates();

        var operation = await client.StartCreateCertificateAsync(name, new CertificatePolicy("Self", "CN=self.dotnet.example"), cancellationToken: Vault.Deadline());
        Response<KeyVaultCertificateWithPolicy> completed = await operation.WaitForCompletionAsync(PollingInterval, Vault.Deadline());

        Assert.True(operation.HasCompleted);
        Assert.Equal("completed", operation.Properties.Status);
        Assert.Equal(name, completed.Value.Name);
        // The ids name this vault as the client reached it (https), so a client built from an id works too.
        Assert.Equal(Vault.Url, completed.Value.Properties.VaultUri);
        Assert.Equal(Vault.Url, new Uri(completed.Value.SecretId.GetLeftPart(UriPartial.Authority)));
        Assert.Equal("Self", completed.Value.Policy.IssuerName);
        Assert.True(completed.Value.Properties.Enabled);
        using var certificate = X509CertificateLoader.LoadCertificate(completed.Value.Cer);
        Assert.Equal("CN=self.dotnet.example", certificate.Subject);
    }

    [Fact]
    public async Task certificate_and_secret_read()
    {
        var name = Vault.UniqueName("read");
        await CreateSelfSigned(name);

        KeyVaultCertificateWithPolicy certificate = await Vault.Certificates().GetCertificateAsync(name, Vault.Deadline());
        KeyVaultSecret secret = await Vault.Secrets().GetSecretAsync(name, cancellationToken: Vault.Deadline());

        Assert.Equal("application/x-pkcs12", secret.Properties.ContentType);
        using var pfx = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), password: "");
        Assert.True(pfx.HasPrivateKey);
        Assert.Equal(certificate.Cer, pfx.RawData);
        using var published = X509CertificateLoader.LoadCertificate(certificate.Cer);
        Assert.True(KeyMatchesCertificate(pfx, published), "the secret's private key does not sign for the certificate's public key");
    }

    [Fact]
    public async Task unknown_create_merged()
    {
        var name = Vault.UniqueName("merge");
        var client = Vault.Certificates();
        var operation = await client.StartCreateCertificateAsync(name, new CertificatePolicy("Unknown", "CN=merge.dotnet.example"), cancellationToken: Vault.Deadline());
        Assert.Equal("inProgress", operation.Properties.Status);

        using var ca = new TestCa();
        using var leaf = ca.Sign(operation.Properties.Csr);
        KeyVaultCertificateWithPolicy merged = await client.MergeCertificateAsync(
            new MergeCertificateOptions(name, [leaf.RawData, ca.Certificate.RawData]), Vault.Deadline());

        Assert.Equal(leaf.RawData, merged.Cer);
        KeyVaultCertificateWithPolicy served = await client.GetCertificateAsync(name, Vault.Deadline());
        Assert.Equal(leaf.RawData, served.Cer);
    }

    [Fact]
    public async Task pending_operation_cancelled()
    {
        var name = Vault.UniqueName("cancel");
        var client = Vault.Certificates();
        var operation = await client.StartCreateCertificateAsync(name, new CertificatePolicy("Unknown", "CN=cancel.dotnet.example"), cancellationToken: Vault.Deadline());

        await operation.CancelAsync(Vault.Deadline());

        // A manual request has no issuer to ask, so the cancellation takes effect at once.
        Assert.True(operation.Properties.CancellationRequested);
        Assert.Equal("cancelled", operation.Properties.Status);
        // Read back with a new operation object: the service holds the cancellation, not only this object.
        CertificateOperation reread = await client.GetCertificateOperationAsync(name, Vault.Deadline());
        Assert.True(reread.Properties.CancellationRequested);
        Assert.Equal("cancelled", reread.Properties.Status);
        Assert.Null(reread.Properties.Error);
        // "cancelled" ends the .NET poller; without an error the operation reads as cancelled, not failed.
        await reread.UpdateStatusAsync(Vault.Deadline());
        Assert.True(reread.HasCompleted);
        Assert.False(reread.HasValue);
        Assert.Throws<OperationCanceledException>(() => reread.Value);
    }

    [Fact]
    public async Task pending_operation_deleted()
    {
        var name = Vault.UniqueName("delete");
        var client = Vault.Certificates();
        var operation = await client.StartCreateCertificateAsync(name, new CertificatePolicy("Unknown", "CN=delete.dotnet.example"), cancellationToken: Vault.Deadline());

        await operation.DeleteAsync(Vault.Deadline());

        var notFound = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetCertificateOperationAsync(name, Vault.Deadline()));
        Assert.Equal(404, notFound.Status);
        Assert.Equal("PendingCertificateNotFound", notFound.ErrorCode);
    }

    [Fact]
    public async Task create_while_in_progress_conflicts()
    {
        var name = Vault.UniqueName("conflict");
        var client = Vault.Certificates();
        var policy = new CertificatePolicy("Unknown", "CN=conflict.dotnet.example");
        var first = await client.StartCreateCertificateAsync(name, policy, cancellationToken: Vault.Deadline());
        Assert.Equal("inProgress", first.Properties.Status);

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => client.StartCreateCertificateAsync(name, policy, cancellationToken: Vault.Deadline()));

        Assert.Equal(409, conflict.Status);
    }

    private static async Task CreateSelfSigned(string name)
    {
        var operation = await Vault.Certificates().StartCreateCertificateAsync(name, new CertificatePolicy("Self", $"CN={name}.dotnet.example"), cancellationToken: Vault.Deadline());
        await operation.WaitForCompletionAsync(PollingInterval, Vault.Deadline());
    }

    // The private key in the secret proves itself against the published certificate: what it signs, the
    // certificate's public key verifies.
    private static bool KeyMatchesCertificate(X509Certificate2 withKey, X509Certificate2 published)
    {
        var data = RandomNumberGenerator.GetBytes(32);
        using var rsa = withKey.GetRSAPrivateKey();
        if (rsa is not null)
        {
            using var publicRsa = published.GetRSAPublicKey();
            var signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return publicRsa is not null && publicRsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        using var ecdsa = withKey.GetECDsaPrivateKey();
        using var publicEcdsa = published.GetECDsaPublicKey();
        return ecdsa is not null && publicEcdsa is not null
            && publicEcdsa.VerifyData(data, ecdsa.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256);
    }
}
