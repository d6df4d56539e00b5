/*
 * libsrtp 3 API on Debian bookworm's libsrtp2 (2.5).
 *
 * mediasoup 3.18.1's worker is written against libsrtp 3.0.0-beta, which
 * Debian does not ship. This header is found before /usr/include/srtp2, pulls
 * the real libsrtp2 header with #include_next, and adds exactly the calls the
 * worker uses, mapped onto libsrtp2's in-place API:
 *   - srtp_protect / srtp_unprotect (+ _rtcp) with separate input and output
 *     buffers and size_t lengths;
 *   - srtp_stream_remove;
 *   - the two status codes libsrtp2 lacks.
 *
 * Security-relevant: every call checks lengths before copying, and a real
 * browser call (the Playwright suite) exercises it end to end.
 */
#ifndef CONCLAVE_SRTP3_ON_SRTP2_H
#define CONCLAVE_SRTP3_ON_SRTP2_H

#include_next <srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/* libsrtp2 never returns these; they only need distinct values. */
static constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
static constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);

inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

namespace conclave_srtp
{
	using InPlace = srtp_err_status_t (*)(srtp_t, void*, int*);

	/* Copies [in, in + inLen) to out (capacity *outLen, which must leave room
	 * for `trailer` more bytes), then runs the in-place libsrtp2 call on it. */
	inline srtp_err_status_t Run(
	  InPlace fn, srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t trailer)
	{
		if (inLen > static_cast<size_t>(INT_MAX) - trailer)
			return srtp_err_status_bad_param;
		if (*outLen < inLen + trailer)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, inLen);
		int len = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(ctx, out, &len);
		if (err == srtp_err_status_ok)
			*outLen = static_cast<size_t>(len);
		return err;
	}
} // namespace conclave_srtp

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_param;
	return conclave_srtp::Run(::srtp_protect, ctx, rtp, rtpLen, srtp, srtpLen, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return conclave_srtp::Run(::srtp_unprotect, ctx, srtp, srtpLen, rtp, rtpLen, 0);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_param;
	return conclave_srtp::Run(::srtp_protect_rtcp, ctx, rtcp, rtcpLen, srtcp, srtcpLen, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return conclave_srtp::Run(::srtp_unprotect_rtcp, ctx, srtcp, srtcpLen, rtcp, rtcpLen, 0);
}
#endif /* __cplusplus */

#endif /* CONCLAVE_SRTP3_ON_SRTP2_H */
