namespace GlideFunctions.Http;

/// <summary>The phases of <see cref="ModelReadinessState"/>, in order.</summary>
public enum ModelReadinessPhase
{
    /// <summary><see cref="ModelWarmup"/> has not run (it is not registered, or the host has not started it yet).</summary>
    NotStarted,

    /// <summary>The manifest is being checked and the ONNX sessions created.</summary>
    Loading,

    /// <summary>Every session the stages need exists.</summary>
    Ready,

    /// <summary>Loading threw; the worker cannot run a stage until it is restarted with a fixed model directory.</summary>
    Failed,
}
