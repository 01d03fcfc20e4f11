//! placeholder
pub(crate) fn routes() -> axum::Router<crate::App> {
    axum::Router::new()
}
