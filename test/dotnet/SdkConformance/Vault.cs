using System.Security.Cryptography;
using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;

namespace SdkConformance;

// The service under test, as the jest wrapper (test/e2e/sdk-dotnet.test.ts) describes it in the environment:
// KV_VAULT_URL (https), KV_TOKEN (a bearer token the host accepts) and SSL_CERT_FILE (the CA of its TLS
// certificate, read by .NET's OpenSSL). The clients are built as a user builds them: default options, except
// that the challenge's resource (https://vault.azure.net) is not required to match the vault's host, which is
// localhost here.
internal static class Vault
{
    private static readonly string RunId = RandomNumberGenerator.GetHexString(6, lowercase: true);
    private static int counter;

    public static Uri Url => new(Required("KV_VAULT_URL"));

    public static RecordingCredential Credential() => new(Required("KV_TOKEN"));

    public static CertificateClient Certificates(TokenCredential? credential = null, HttpPipelinePolicyRecorder? recorder = null)
    {
        var options = new CertificateClientOptions { DisableChallengeResourceVerification = true };
        if (recorder is not null) options.AddPolicy(recorder, Azure.Core.HttpPipelinePosition.BeforeTransport);
        return new CertificateClient(Url, credential ?? Credential(), options);
    }

    public static SecretClient Secrets() =>
        new(Url, Credential(), new SecretClientOptions { DisableChallengeResourceVerification = true });

    // Unique per run and per call, so reruns against a long-lived host never meet an earlier run's names.
    public static string UniqueName(string scenario) =>
        $"dotnet-{scenario}-{RunId}-{Interlocked.Increment(ref counter)}";

    // Every SDK call in a scenario is bounded, so a stuck service fails the test instead of hanging the run.
    public static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. These tests run through `npm test` (test/e2e/sdk-dotnet.test.ts), which starts the service and sets KV_VAULT_URL, KV_TOKEN and SSL_CERT_FILE.");
}
