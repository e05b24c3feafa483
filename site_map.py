"""The app's pages in one place: the entry point builds the navigation from it and the home page links
from it, so a page is added by adding one line here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    icon: str
    blurb: str

    @property
    def url_path(self) -> str:
        """The page's address under the app's URL (st.navigation names it after the file)."""
        return Path(self.path).stem

    @property
    def exists(self) -> bool:
        return (ROOT / self.path).is_file()


HOME = PageInfo("app_pages/home.py", "Home", ":material/home:", "What Backprop Lab teaches.")
# The place to start: the home page shows it first, apart from the other lessons.
GUIDED_LESSON = PageInfo("app_pages/lesson.py", "Guided lesson", ":material/school:",
                         "The whole story in 15 steps, from a derivative to a trained network. Predict each number "
                         "first, then see the real one and why — made for a class on a projector.")
LESSONS: tuple[PageInfo, ...] = (
    GUIDED_LESSON,
    PageInfo("app_pages/landscape.py", "Loss landscape", ":material/landscape:",
             "Drop a ball on a landscape of hills and valleys and watch gradient descent roll it down — "
             "on toy surfaces and on the real network's loss."),
    PageInfo("app_pages/forward_backward.py", "Forward & backward pass", ":material/account_tree:",
             "Step through one forward and one backward pass with real numbers: every dLoss_* matrix, "
             "its formula, its NumPy line and its shape, checked against finite differences."),
    PageInfo("app_pages/train_cancer.py", "Train on cancer data", ":material/biotech:",
             "Train the network to tell malignant from benign tumours, judge it with a confusion matrix "
             "and an ROC curve, compare it with scikit-learn, or upload your own CSV."),
)


def available_lessons() -> list[PageInfo]:
    """The lesson pages whose file exists (the navigation lists only what is there)."""
    return [page for page in LESSONS if page.exists]
