//! Shared helpers of the sample programs.
