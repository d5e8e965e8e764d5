namespace Glide.Evaluation;

/// <summary>Every caption's result under one setting, the score, and the wall time generation and analysis took.</summary>
public sealed record EvalSettingResult(EvalSetting Setting, IReadOnlyList<EvalCaptionResult> Captions, double Seconds)
{
    public EvalScore Score { get; } = EvalScore.Of([.. Captions]);
}
