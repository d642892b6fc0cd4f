using System.Collections.Concurrent;
using Azure.Core;

namespace SdkConformance;

// Hands out the token the wrapper issued, and remembers which scopes the SDK asked for: the SDK learns the
// scope from the service's 401 challenge, so the scopes show that it read the challenge.
internal sealed class RecordingCredential(string token) : TokenCredential
{
    private readonly ConcurrentQueue<string[]> requestedScopes = new();

    public IReadOnlyList<string[]> RequestedScopes => [.. requestedScopes];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        requestedScopes.Enqueue(requestContext.Scopes);
        // The wrapper's token lives an hour; the SDK only uses this to decide when to ask again.
        return new AccessToken(token, DateTimeOffset.UtcNow.AddMinutes(30));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
