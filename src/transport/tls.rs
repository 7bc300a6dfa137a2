//! TLS settings for `rediss://`: the rustls client configuration, built once per wrapper.
//!
//! The handshake and record I/O are driven by `stream.rs` itself (not rustls' stream adapter,
//! which loops over socket reads internally), so every socket wait stays under the call's
//! deadline.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::errors::{CacheError, CacheResult};

#[derive(Clone, Debug, Default)]
pub struct TlsFiles {
    /// PEM file of the CA that signed the server's certificate (else the system's trust store).
    pub ca_certs: Option<String>,
    /// PEM client certificate and key, for servers that require mutual TLS.
    pub certfile: Option<String>,
    pub keyfile: Option<String>,
}

impl TlsFiles {
    pub fn any(&self) -> bool {
        self.ca_certs.is_some() || self.certfile.is_some() || self.keyfile.is_some()
    }
}

fn config_error(what: &str, path: &str, e: impl std::fmt::Display) -> CacheError {
    CacheError::Config(format!("cannot read {what} {path:?}: {e}"))
}

/// The client configuration: the given CA (or the system's roots), an optional client
/// certificate, or no verification at all for `#insecure` URLs.
pub fn client_config(files: &TlsFiles, insecure: bool) -> CacheResult<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| CacheError::Config(format!("TLS: {e}")))?;
    let builder = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyServer(provider)))
    } else {
        let mut roots = RootCertStore::empty();
        match &files.ca_certs {
            Some(path) => {
                for cert in CertificateDer::pem_file_iter(path)
                    .map_err(|e| config_error("ssl_ca_certs", path, e))?
                {
                    let cert = cert.map_err(|e| config_error("ssl_ca_certs", path, e))?;
                    roots
                        .add(cert)
                        .map_err(|e| config_error("ssl_ca_certs", path, e))?;
                }
                if roots.is_empty() {
                    return Err(config_error("ssl_ca_certs", path, "no certificate in it"));
                }
            }
            None => {
                // Unreadable system certificates are skipped, as the system's own tools do.
                let native = rustls_native_certs::load_native_certs();
                roots.add_parsable_certificates(native.certs);
            }
        }
        builder.with_root_certificates(roots)
    };
    let config = match (&files.certfile, &files.keyfile) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .map_err(|e| config_error("ssl_certfile", cert, e))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| config_error("ssl_certfile", cert, e))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| config_error("ssl_keyfile", key, e))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| CacheError::Config(format!("TLS client certificate: {e}")))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(CacheError::Config(
                "mutual TLS needs both ssl_certfile and ssl_keyfile".into(),
            ));
        }
    };
    Ok(Arc::new(config))
}

/// The name the server's certificate must carry: the URL's host (a DNS name or an IP).
pub fn server_name(host: &str) -> CacheResult<ServerName<'static>> {
    ServerName::try_from(host.to_owned())
        .map_err(|e| CacheError::Config(format!("TLS: {host:?} is not a valid server name: {e}")))
}

/// `rediss://...#insecure`: encryption without authentication of the server.
#[derive(Debug)]
struct AcceptAnyServer(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyServer {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
