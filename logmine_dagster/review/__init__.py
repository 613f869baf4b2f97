"""Stage 4, review: the weekly batch, reviewers' votes and outcomes, agreement, import and export."""
