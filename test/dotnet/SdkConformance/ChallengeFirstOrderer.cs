using Xunit.Abstractions;
using Xunit.Sdk;

namespace SdkConformance;

// Runs challenge_handshake before the other scenarios. The SDK caches a vault's challenge per host for the
// life of the process, so only the first client to reach the service sends the token-less request that
// draws the 401; the rest follow in name order, which makes runs repeatable.
public sealed class ChallengeFirstOrderer : ITestCaseOrderer
{
    public const string TypeName = "SdkConformance.ChallengeFirstOrderer";
    public const string AssemblyName = "SdkConformance";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases
            .OrderBy(testCase => testCase.TestMethod.Method.Name == nameof(Scenarios.challenge_handshake) ? 0 : 1)
            .ThenBy(testCase => testCase.TestMethod.Method.Name, StringComparer.Ordinal);
}
