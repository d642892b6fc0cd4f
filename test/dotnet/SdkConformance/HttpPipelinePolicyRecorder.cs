using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SdkConformance;

// What went over the wire for one send: whether it carried a token, and how the service answered.
internal sealed record Exchange(string Method, string Path, bool HadAuthorization, int Status, string? WwwAuthenticate);

// Sits just before the transport, after the SDK's challenge-based authentication policy, so it sees each
// send separately: the token-less first attempt and the authorized retry.
internal sealed class HttpPipelinePolicyRecorder : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<Exchange> exchanges = new();

    public IReadOnlyList<Exchange> Exchanges => [.. exchanges];

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        Record(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        Record(message);
    }

    private void Record(HttpMessage message)
    {
        message.Response.Headers.TryGetValue("WWW-Authenticate", out string? challenge);
        exchanges.Enqueue(new Exchange(
            message.Request.Method.Method,
            message.Request.Uri.Path,
            message.Request.Headers.Contains(HttpHeader.Names.Authorization),
            message.Response.Status,
            challenge));
    }
}
