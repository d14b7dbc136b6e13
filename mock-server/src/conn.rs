//! Connection timeouts. hyper's HTTP/1 header-read timeout is armed as soon as a connection waits for its next
//! request, so on its own it doubles as the keep-alive idle timeout: a POS polling every 10 s on a pooled
//! connection races the close. Here the two are separate. Between requests a connection may stay idle for
//! `keep_alive`; once a request's first byte arrives, its headers must be complete within `header` (slow
//! clients are still cut off). [`Watched`] wraps the socket and notes the first byte read after hyper armed
//! its timer; [`ConnTimer`] is that timer (one per connection), and its deadline follows the note. Times are
//! tokio's, so a test with a paused runtime clock can let a minute of idleness pass without sleeping.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::time::Instant;

use hyper::rt::{Sleep, Timer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What the socket and the timer of one connection share.
#[derive(Debug)]
struct Activity {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// When hyper last armed the header timer (it starts waiting for a request).
    armed_at: Instant,
    /// The first byte read since then.
    first_read: Option<Instant>,
    /// The armed timer, woken when the first byte changes its deadline.
    waker: Option<Waker>,
    /// The connection's one runtime timer, kept from request to request: hyper asks for a new header timer for
    /// each request, and registering a timer with the runtime and removing it again cost a `GET` about 4 % of
    /// its instructions. Moving a registered deadline later is a store; it fires early only when a slow client
    /// brought it forward, or once in a while when a timer that is no longer awaited reaches its old deadline.
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Activity {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// hyper arms its header timer: the connection waits for a request, for `keep_alive` at most.
    fn arm(&self, keep_alive: Duration) {
        let mut st = self.lock();
        let now = Instant::now();
        st.armed_at = now;
        st.first_read = None;
        st.sleep.as_mut().reset(now + keep_alive);
    }

    /// Bytes arrived, read by the task that `reader` wakes. The armed timer learns its new deadline when it is
    /// polled next: it is woken for it only if another task polls it (hyper polls both from the connection's
    /// task, which is running now; waking it would poll the whole connection once more for nothing).
    fn read_something(&self, reader: &Waker) {
        let mut st = self.lock();
        if st.first_read.is_none() {
            st.first_read = Some(Instant::now());
            if let Some(w) = st.waker.take()
                && !w.will_wake(reader)
            {
                w.wake();
            }
        }
    }
}

/// The timeouts of a connection.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Idle time allowed between requests.
    pub keep_alive: Duration,
    /// Time allowed from a request's first byte to the end of its headers.
    pub header: Duration,
}

/// A socket (or any stream) that tells its connection's timer when bytes arrive.
#[derive(Debug)]
pub struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

/// The timer hyper arms while it reads a request's headers (see the module doc).
#[derive(Debug, Clone)]
pub struct ConnTimer {
    activity: Arc<Activity>,
    timeouts: Timeouts,
}

/// `io` with its timer; give the timer to hyper's `http1::Builder::timer` and set its `header_read_timeout`
/// (any value: the deadline comes from `timeouts`).
pub fn watch<T>(io: T, timeouts: Timeouts) -> (Watched<T>, ConnTimer) {
    let activity = Arc::new(Activity {
        state: Mutex::new(State {
            armed_at: Instant::now(),
            first_read: None,
            waker: None,
            sleep: Box::pin(tokio::time::sleep(timeouts.keep_alive)),
        }),
    });
    (
        Watched {
            inner: io,
            activity: Arc::clone(&activity),
        },
        ConnTimer { activity, timeouts },
    )
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read_something(cx.waker());
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Timer for ConnTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(Plain(Box::pin(tokio::time::sleep(duration))))
    }

    /// hyper arms its header-read timer: the connection now waits for a request.
    fn sleep_until(&self, _deadline: std::time::Instant) -> Pin<Box<dyn Sleep>> {
        self.activity.arm(self.timeouts.keep_alive);
        Box::pin(HeaderSleep {
            activity: Arc::clone(&self.activity),
            timeouts: self.timeouts,
        })
    }
}

/// A plain sleep (hyper does not use one on server connections today).
struct Plain(Pin<Box<tokio::time::Sleep>>);

impl Future for Plain {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Sleep for Plain {}

/// Ends `keep_alive` after it was armed if no byte came, else `header` after the first byte (on the
/// connection's timer, [`State::sleep`]).
struct HeaderSleep {
    activity: Arc<Activity>,
    timeouts: Timeouts,
}

impl Future for HeaderSleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.activity.lock();
        if !st.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            st.waker = Some(cx.waker().clone());
        }
        let deadline = match st.first_read {
            Some(first) => first + self.timeouts.header,
            None => st.armed_at + self.timeouts.keep_alive,
        };
        if st.sleep.deadline() != deadline {
            st.sleep.as_mut().reset(deadline);
        }
        st.sleep.as_mut().poll(cx)
    }
}

impl Sleep for HeaderSleep {}
