/// How an SMTP connection gets its TLS.
public enum SMTPSecurity: Sendable, Equatable {
    /// Plain TCP, upgraded with STARTTLS when offered (`smtp://`, port 587 or 25).
    case startTLS
    /// TLS from the first byte (`smtps://`, port 465, RFC 8314).
    case implicitTLS
}
